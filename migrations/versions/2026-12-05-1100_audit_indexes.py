"""Audit events: a hash index on the entity's id, the outbox entry's id indexed only when set

A data-values import writes one audit event per new or changed value (10,000 a request) in
the same statement as the values: the btree over (entity_type, entity_id) took about half of
that insert (ids of three parts, "indicator:organization:period", in no order), while a thing's
events are only ever looked up by its id, by equality (`GET /v1/audit-events?entity_id=`), which
a hash index serves and takes new entries into at a fraction of the cost. `entry_id` (the id
of an entry from another service's outbox, unique) is NULL for every event of the api's own:
a partial unique index leaves those out.

Revision ID: 0028_audit_indexes
Revises: 0027_quality_feeds
Create Date: 2026-12-05 11:00:00
"""

import sqlalchemy as sa
from alembic import op

revision: str = "0028_audit_indexes"
down_revision: str | None = "0027_quality_feeds"

TABLE = "audit_event"
ENTRY = "uq_audit_event_entry_id"


def upgrade() -> None:
    op.drop_index("ix_audit_event_entity", table_name=TABLE, schema="api")
    op.create_index(
        "ix_audit_event_entity_id", TABLE, ["entity_id"], schema="api", postgresql_using="hash"
    )
    op.drop_constraint(ENTRY, TABLE, schema="api", type_="unique")
    op.create_index(
        ENTRY,
        TABLE,
        ["entry_id"],
        unique=True,
        schema="api",
        postgresql_where=sa.text("entry_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index(ENTRY, table_name=TABLE, schema="api")
    op.create_unique_constraint(ENTRY, TABLE, ["entry_id"], schema="api")
    op.drop_index("ix_audit_event_entity_id", table_name=TABLE, schema="api")
    op.create_index("ix_audit_event_entity", TABLE, ["entity_type", "entity_id"], schema="api")
