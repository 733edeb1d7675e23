"""Computed indicator values kept per period with validity, instead of whole stored documents

`reports.indicator_value_run`: per (view, scope, period, indicator) what the current values
were computed from and when; `reports.indicator_value`: one row per unit with its answer item
and its validity [valid_from, valid_to). A row is never changed except to close it once, which
the trigger below makes the database enforce (what was shown on a date stays as it was).
The old `reports.snapshot` table is left as it was (computations before this revision).

Revision ID: 0017_indicator_value_store
Revises: 0016_audit_outbox
Create Date: 2026-12-02 09:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.operations import create_update_guard, drop_update_guard

revision: str = "0017_indicator_value_store"
down_revision: str | None = "0016_audit_outbox"

KEY = ("view", "scope_type", "scope_id", "period", "indicator_code")


def _key_columns() -> list[sa.Column]:
    return [
        sa.Column(name, sa.Uuid() if name == "scope_id" else sa.Text(), nullable=False)
        for name in KEY
    ]


def upgrade() -> None:
    op.create_table(
        "indicator_value_run",
        *_key_columns(),
        sa.Column("inputs", sa.Text(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(*KEY, name=op.f("pk_indicator_value_run")),
        schema="reports",
    )
    op.create_table(
        "indicator_value",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        *_key_columns(),
        sa.Column("unit_type", sa.Text(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("item", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_value")),
        schema="reports",
    )
    op.create_index(
        "uq_indicator_value_current",
        "indicator_value",
        [*KEY, "unit_type", "unit_id"],
        unique=True,
        schema="reports",
        postgresql_where=sa.text("valid_to IS NULL"),
    )
    op.create_index(
        "ix_indicator_value_history",
        "indicator_value",
        [*KEY, "valid_from"],
        schema="reports",
    )
    create_update_guard(
        "reports.indicator_value",
        "indicator_value_only_closes",
        message="a kept indicator value is only ever closed (value %)",
        when="""OLD.valid_to IS NOT NULL OR NEW.valid_to IS NULL
              OR (NEW.id, NEW.view, NEW.scope_type, NEW.scope_id, NEW.period,
                  NEW.indicator_code, NEW.unit_type, NEW.unit_id, NEW.item, NEW.valid_from)
                 IS DISTINCT FROM
                 (OLD.id, OLD.view, OLD.scope_type, OLD.scope_id, OLD.period,
                  OLD.indicator_code, OLD.unit_type, OLD.unit_id, OLD.item, OLD.valid_from)""",
    )


def downgrade() -> None:
    drop_update_guard("reports.indicator_value", "indicator_value_only_closes")
    op.drop_index("ix_indicator_value_history", table_name="indicator_value", schema="reports")
    op.drop_index("uq_indicator_value_current", table_name="indicator_value", schema="reports")
    op.drop_table("indicator_value", schema="reports")
    op.drop_table("indicator_value_run", schema="reports")
