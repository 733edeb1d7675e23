"""Alembic migrations: one history for the `api`, `surveys` and `reports` schemas."""
