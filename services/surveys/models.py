"""Every table model of the surveys service, imported here so that Alembic sees them all."""
