"""Validation rules and their current violations

`api.validation_rule`: a rule `left operator right` over indicator values of one organization
and period, with its importance, Russian message, action (`warn` or `reject`) and owner
territory (NULL: global). `api.validation_violation`: one row per (rule, organization, period)
whose stored values break the rule now, recomputed on every write of the values.

Revision ID: 0025_validation_rules
Revises: 0024_outliers
Create Date: 2026-12-04 10:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

from migrations.columns import entity_columns, foreign_key, now_column
from migrations.operations import create_index_on, drop_index_on

revision: str = "0025_validation_rules"
down_revision: str | None = "0024_outliers"

STRING = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "validation_rule",
        *entity_columns(),
        sa.Column("code", STRING(length=80), nullable=False),
        sa.Column("owner_territory_id", sa.Uuid(), nullable=True),
        sa.Column("left", sa.Text(), nullable=False),
        sa.Column("operator", STRING(length=2), nullable=False),
        sa.Column("right", sa.Text(), nullable=False),
        sa.Column("importance", STRING(length=10), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("action", STRING(length=10), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("indicator_codes", sa.ARRAY(sa.Text()), nullable=False),
        sa.CheckConstraint(
            "operator IN ('==', '!=', '<', '<=', '>', '>=')",
            name=op.f("ck_validation_rule_operator"),
        ),
        sa.CheckConstraint(
            "importance IN ('high', 'medium', 'low')", name=op.f("ck_validation_rule_importance")
        ),
        sa.CheckConstraint("action IN ('warn', 'reject')", name=op.f("ck_validation_rule_action")),
        foreign_key("validation_rule", "owner_territory_id", "api.territory", ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_validation_rule")),
        sa.UniqueConstraint("code", name=op.f("uq_validation_rule_code")),
        schema="api",
    )
    create_index_on("validation_rule", "owner_territory_id", schema="api")
    op.create_table(
        "validation_violation",
        sa.Column("rule_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("period", STRING(length=20), nullable=False),
        sa.Column("left_value", sa.Float(), nullable=True),
        sa.Column("right_value", sa.Float(), nullable=True),
        now_column("detected_at"),
        foreign_key("validation_violation", "rule_id", "api.validation_rule", ondelete="CASCADE"),
        foreign_key(
            "validation_violation", "organization_id", "api.organization", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint(
            "rule_id", "organization_id", "period", name=op.f("pk_validation_violation")
        ),
        schema="api",
    )
    op.create_index(
        "ix_validation_violation_organization_period",
        "validation_violation",
        ["organization_id", "period"],
        schema="api",
    )


def downgrade() -> None:
    op.drop_index(
        "ix_validation_violation_organization_period",
        table_name="validation_violation",
        schema="api",
    )
    op.drop_table("validation_violation", schema="api")
    drop_index_on("validation_rule", "owner_territory_id", schema="api")
    op.drop_table("validation_rule", schema="api")
