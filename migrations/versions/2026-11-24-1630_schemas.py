"""One schema per service: api, surveys, reports

Revision ID: 0001_schemas
Revises:
Create Date: 2026-11-24 16:30:00
"""

from alembic import op

revision: str = "0001_schemas"
down_revision: str | None = None

SCHEMAS = ("api", "surveys", "reports")


def upgrade() -> None:
    for schema in SCHEMAS:
        op.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")


def downgrade() -> None:
    for schema in reversed(SCHEMAS):
        op.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
