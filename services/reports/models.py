"""Every table model of the reports service, imported here so that Alembic sees them all."""
