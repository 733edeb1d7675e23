"""Catalogue owners: indicators, recommendation rules and PD programmes may belong to a
territory (NULL: the global catalogue), and a rule may be switched off for one territory.

Everything stored before stays global, as it was.

Revision ID: 0011_catalogue_owners
Revises: 0010_token_version
Create Date: 2026-11-30 20:20:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

from migrations.columns import foreign_key, now_column
from migrations.operations import create_index_on, drop_index_on

revision: str = "0011_catalogue_owners"
down_revision: str | None = "0010_token_version"


def upgrade() -> None:
    op.create_table(
        "recommendation_rule_switch_off",
        sa.Column("rule_id", sa.Uuid(), nullable=False),
        sa.Column("territory_id", sa.Uuid(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        now_column("created_at"),
        foreign_key(
            "recommendation_rule_switch_off",
            "rule_id",
            "reports.recommendation_rule",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "rule_id", "territory_id", name=op.f("pk_recommendation_rule_switch_off")
        ),
        schema="reports",
    )
    create_index_on("recommendation_rule_switch_off", "territory_id", schema="reports")
    op.add_column(
        "indicator", sa.Column("owner_territory_id", sa.Uuid(), nullable=True), schema="api"
    )
    create_index_on("indicator", "owner_territory_id", schema="api")
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
    create_index_on("pd_programme", "owner_territory_id", schema="reports")
    op.add_column(
        "recommendation_rule",
        sa.Column("owner_territory_id", sa.Uuid(), nullable=True),
        schema="reports",
    )
    create_index_on("recommendation_rule", "owner_territory_id", schema="reports")


def downgrade() -> None:
    drop_index_on("recommendation_rule", "owner_territory_id", schema="reports")
    op.drop_column("recommendation_rule", "owner_territory_id", schema="reports")
    drop_index_on("pd_programme", "owner_territory_id", schema="reports")
    op.drop_column("pd_programme", "owner_territory_id", schema="reports")
    op.drop_constraint(
        op.f("fk_indicator_owner_territory_id_territory"),
        "indicator",
        schema="api",
        type_="foreignkey",
    )
    drop_index_on("indicator", "owner_territory_id", schema="api")
    op.drop_column("indicator", "owner_territory_id", schema="api")
    drop_index_on("recommendation_rule_switch_off", "territory_id", schema="reports")
    op.drop_table("recommendation_rule_switch_off", schema="reports")
