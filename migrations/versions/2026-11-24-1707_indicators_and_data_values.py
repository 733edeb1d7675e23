"""Indicators, targets, links to roadmaps; data values; idempotency keys of the api service

Revision ID: 0004_indicators
Revises: 0003_roadmaps
Create Date: 2026-11-24 17:07:19.460190
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.columns import entity_columns, foreign_key, timestamps
from migrations.operations import create_idempotency_key_table, create_index_on, drop_index_on

revision: str = "0004_indicators"
down_revision: str | None = "0003_roadmaps"


def upgrade() -> None:
    create_idempotency_key_table("api")
    op.create_table(
        "indicator",
        *entity_columns(),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("unit", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("direction", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("method", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column(
            "params", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("target_op", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True),
        sa.Column("target_value", sa.Float(), nullable=True),
        sa.Column("collection_method", sa.Text(), nullable=True),
        sa.Column("min_n", sa.Integer(), nullable=False),
        sa.CheckConstraint("direction IN ('higher', 'lower')", name=op.f("ck_indicator_direction")),
        sa.CheckConstraint(
            "level IN ('organization', 'cluster', 'territory')", name=op.f("ck_indicator_level")
        ),
        sa.CheckConstraint(
            "unit IN ('percent', 'count', 'score', 'boolean', 'number')",
            name=op.f("ck_indicator_unit"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator")),
        sa.UniqueConstraint("code", name=op.f("uq_indicator_code")),
        schema="api",
    )
    op.create_table(
        "indicator_roadmap",
        sa.Column("indicator_id", sa.Uuid(), nullable=False),
        sa.Column("roadmap_id", sa.Uuid(), nullable=False),
        foreign_key("indicator_roadmap", "indicator_id", "api.indicator", ondelete="CASCADE"),
        foreign_key("indicator_roadmap", "roadmap_id", "api.roadmap", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("indicator_id", "roadmap_id", name=op.f("pk_indicator_roadmap")),
        schema="api",
    )
    op.create_index(
        "ix_indicator_roadmap_roadmap",
        "indicator_roadmap",
        ["roadmap_id"],
        unique=False,
        schema="api",
    )
    op.create_table(
        "indicator_target",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("indicator_id", sa.Uuid(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("scope_type", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("scope_id", sa.Uuid(), nullable=True),
        sa.Column("op", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        foreign_key("indicator_target", "indicator_id", "api.indicator", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_target")),
        sa.UniqueConstraint(
            "indicator_id",
            "period",
            "scope_type",
            "scope_id",
            name="uq_indicator_target_key",
            postgresql_nulls_not_distinct=True,
        ),
        schema="api",
    )
    create_index_on("indicator_target", "indicator_id", schema="api")
    op.create_table(
        "data_value",
        sa.Column("indicator_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=140), nullable=True),
        *timestamps(),
        foreign_key("data_value", "indicator_id", "api.indicator", ondelete="RESTRICT"),
        foreign_key("data_value", "organization_id", "api.organization", ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint(
            "indicator_id", "organization_id", "period", name=op.f("pk_data_value")
        ),
        schema="api",
    )
    op.create_index(
        "ix_data_value_organization_period",
        "data_value",
        ["organization_id", "period"],
        unique=False,
        schema="api",
    )
    op.create_index(
        "ix_data_value_updated_at", "data_value", ["updated_at"], unique=False, schema="api"
    )


def downgrade() -> None:
    op.drop_index("ix_data_value_updated_at", table_name="data_value", schema="api")
    op.drop_index("ix_data_value_organization_period", table_name="data_value", schema="api")
    op.drop_table("data_value", schema="api")
    drop_index_on("indicator_target", "indicator_id", schema="api")
    op.drop_table("indicator_target", schema="api")
    op.drop_index("ix_indicator_roadmap_roadmap", table_name="indicator_roadmap", schema="api")
    op.drop_table("indicator_roadmap", schema="api")
    op.drop_table("indicator", schema="api")
    op.drop_table("idempotency_key", schema="api")
