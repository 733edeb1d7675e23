"""The reports service's `Idempotency-Key`s

`reports.idempotency_key` as the api's and the surveys' are since revision 0009: the owner of a
key (`user:<id>`, `api_key:<id>`, `service:<name>`), a SHA-256 of the key, a hash of the
request, the answer (status, JSON body) and the day; primary key (owner, key hash), an index on
the day (rows of the day before yesterday and older are deleted). Every POST of the reports
service that writes now takes the header (shared/keyed_routes.py).

Revision ID: 0035_reports_idempotency
Revises: 0034_instrument_owner
Create Date: 2026-12-07 11:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0035_reports_idempotency"
down_revision: str | None = "0034_instrument_owner"


def upgrade() -> None:
    op.create_table(
        "idempotency_key",
        sa.Column("principal", sa.String(length=100), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("created_on", sa.Date(), server_default=sa.text("CURRENT_DATE"), nullable=False),
        sa.PrimaryKeyConstraint("principal", "key_hash", name=op.f("pk_idempotency_key")),
        schema="reports",
    )
    op.create_index(
        "ix_reports_idempotency_key_created_on",
        "idempotency_key",
        ["created_on"],
        schema="reports",
    )


def downgrade() -> None:
    op.drop_index(
        "ix_reports_idempotency_key_created_on", table_name="idempotency_key", schema="reports"
    )
    op.drop_table("idempotency_key", schema="reports")
