"""Every table model of the api service, imported here so that Alembic sees them all."""
