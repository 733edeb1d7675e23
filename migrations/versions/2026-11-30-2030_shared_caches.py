"""Shared caches: the scope caches of surveys and reports; a snapshot's body never changes

The scope cache (shared/scope_cache.py) was a dictionary per process, so two workers of a
service could disagree; it is now a table in each service's own schema. The reports service
keeps decoded snapshots per process, by id: that can never disagree with another process as
long as a stored snapshot's body never changes, which the trigger below makes the database
enforce (its `computed_at` may still be corrected).

Revision ID: 0012_shared_caches
Revises: 0008_reports
Create Date: 2026-11-30 20:30:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.operations import create_update_guard, drop_update_guard

revision: str = "0012_shared_caches"
down_revision: str | None = "0011_catalogue_owners"

SCOPE_CACHE_SCHEMAS = ("surveys", "reports")


def upgrade() -> None:
    for schema in SCOPE_CACHE_SCHEMAS:
        op.create_table(
            "scope_cache",
            sa.Column("scope_type", sa.String(length=20), nullable=False),
            sa.Column("scope_id", sa.Uuid(), nullable=False),
            sa.Column("info", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
            sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("scope_type", "scope_id", name=op.f("pk_scope_cache")),
            schema=schema,
        )
    create_update_guard(
        "reports.snapshot",
        "snapshot_body_never_changes",
        message="a stored snapshot never changes: store a new one (snapshot %)",
        when="NEW.id IS DISTINCT FROM OLD.id OR NEW.body IS DISTINCT FROM OLD.body",
    )


def downgrade() -> None:
    drop_update_guard("reports.snapshot", "snapshot_body_never_changes")
    for schema in reversed(SCOPE_CACHE_SCHEMAS):
        op.drop_table("scope_cache", schema=schema)
