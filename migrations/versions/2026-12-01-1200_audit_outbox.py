"""Audit outboxes of the surveys and reports services; audit events stored once by entry id

The surveys and reports services write each audit entry to `audit_outbox` in their own schema,
in the transaction of the change, and send it to the api service after the commit
(shared/audit_outbox.py). The api service stores an entry under its id (`entry_id`, unique), so
a repeated delivery never makes a second event.

Revision ID: 0016_audit_outbox
Revises: 0015_reports_facts
Create Date: 2026-12-01 12:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0016_audit_outbox"
down_revision: str | None = "0015_reports_facts"

OUTBOX_SCHEMAS = ("surveys", "reports")


def upgrade() -> None:
    for schema in OUTBOX_SCHEMAS:
        op.create_table(
            "audit_outbox",
            sa.Column("id", sa.Uuid(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("action", sa.String(length=40), nullable=False),
            sa.Column("entity_type", sa.String(length=60), nullable=False),
            sa.Column("entity_id", sa.String(length=100), nullable=True),
            sa.Column("changes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
            sa.Column("actor_kind", sa.String(length=20), nullable=False),
            sa.Column("actor_id", sa.String(length=100), nullable=True),
            sa.Column("actor_role", sa.String(length=40), nullable=True),
            sa.Column("request_id", sa.String(length=128), nullable=True),
            sa.Column("address", sa.String(length=64), nullable=True),
            sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
            sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_outbox")),
            schema=schema,
        )
    op.add_column("audit_event", sa.Column("entry_id", sa.Uuid(), nullable=True), schema="api")
    op.create_unique_constraint(
        op.f("uq_audit_event_entry_id"), "audit_event", ["entry_id"], schema="api"
    )


def downgrade() -> None:
    op.drop_constraint(op.f("uq_audit_event_entry_id"), "audit_event", schema="api", type_="unique")
    op.drop_column("audit_event", "entry_id", schema="api")
    for schema in reversed(OUTBOX_SCHEMAS):
        op.drop_table("audit_outbox", schema=schema)
