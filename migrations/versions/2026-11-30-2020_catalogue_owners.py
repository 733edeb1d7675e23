"""Catalogue owners: indicators, recommendation rules and PD programmes may belong to a
territory (NULL: the global catalogue), and a rule may be switched off for one territory.

Everything stored before stays global, as it was.

Revision ID: 0011_catalogue_owners
Revises: 0010_token_version
Create Date: 2026-11-30 20:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011_catalogue_owners"
down_revision: str | None = "0010_token_version"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "recommendation_rule_switch_off",
        sa.Column("rule_id", sa.Uuid(), nullable=False),
        sa.Column("territory_id", sa.Uuid(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["rule_id"],
            ["reports.recommendation_rule.id"],
            name=op.f("fk_recommendation_rule_switch_off_rule_id_recommendation_rule"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "rule_id", "territory_id", name=op.f("pk_recommendation_rule_switch_off")
        ),
        schema="reports",
    )
    op.create_index(
        op.f("ix_reports_recommendation_rule_switch_off_territory_id"),
        "recommendation_rule_switch_off",
        ["territory_id"],
        unique=False,
        schema="reports",
    )
    op.add_column(
        "indicator", sa.Column("owner_territory_id", sa.Uuid(), nullable=True), schema="api"
    )
    op.create_index(
        op.f("ix_api_indicator_owner_territory_id"),
        "indicator",
        ["owner_territory_id"],
        unique=False,
        schema="api",
    )
    op.create_foreign_key(
        op.f("fk_indicator_owner_territory_id_territory"),
        "indicator",
        "territory",
        ["owner_territory_id"],
        ["id"],
        source_schema="api",
        referent_schema="api",
        ondelete="RESTRICT",
    )
    op.add_column(
        "pd_programme", sa.Column("owner_territory_id", sa.Uuid(), nullable=True), schema="reports"
    )
    op.create_index(
        op.f("ix_reports_pd_programme_owner_territory_id"),
        "pd_programme",
        ["owner_territory_id"],
        unique=False,
        schema="reports",
    )
    op.add_column(
        "recommendation_rule",
        sa.Column("owner_territory_id", sa.Uuid(), nullable=True),
        schema="reports",
    )
    op.create_index(
        op.f("ix_reports_recommendation_rule_owner_territory_id"),
        "recommendation_rule",
        ["owner_territory_id"],
        unique=False,
        schema="reports",
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_reports_recommendation_rule_owner_territory_id"),
        table_name="recommendation_rule",
        schema="reports",
    )
    op.drop_column("recommendation_rule", "owner_territory_id", schema="reports")
    op.drop_index(
        op.f("ix_reports_pd_programme_owner_territory_id"),
        table_name="pd_programme",
        schema="reports",
    )
    op.drop_column("pd_programme", "owner_territory_id", schema="reports")
    op.drop_constraint(
        op.f("fk_indicator_owner_territory_id_territory"),
        "indicator",
        schema="api",
        type_="foreignkey",
    )
    op.drop_index(op.f("ix_api_indicator_owner_territory_id"), table_name="indicator", schema="api")
    op.drop_column("indicator", "owner_territory_id", schema="api")
    op.drop_index(
        op.f("ix_reports_recommendation_rule_switch_off_territory_id"),
        table_name="recommendation_rule_switch_off",
        schema="reports",
    )
    op.drop_table("recommendation_rule_switch_off", schema="reports")
