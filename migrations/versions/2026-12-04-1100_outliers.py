"""Outliers: min–max bounds per indicator and the current flags of stored values

`api.outlier_bound` keeps an indicator's expected `lower` and/or `upper` value, for every
organization (`organization_id` NULL, one such row per indicator) or for one organization;
`api.outlier_flag` keeps, per stored data value and check (`min_max`, `territory_z`,
`history_z`), the flag it has now, with the bound crossed or the median, sample size and
modified z-score; it goes with its data value.

Revision ID: 0024_outliers
Revises: 0023_collections
Create Date: 2026-12-04 10:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

from migrations.columns import entity_columns, foreign_key, now_column
from migrations.operations import create_index_on

revision: str = "0024_outliers"
down_revision: str | None = "0023_collections"


def upgrade() -> None:
    op.create_table(
        "outlier_bound",
        *entity_columns(),
        sa.Column("indicator_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=True),
        sa.Column("lower", sa.Float(), nullable=True),
        sa.Column("upper", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outlier_bound")),
        foreign_key("outlier_bound", "indicator_id", "api.indicator", ondelete="CASCADE"),
        foreign_key("outlier_bound", "organization_id", "api.organization", ondelete="CASCADE"),
        sa.UniqueConstraint(
            "indicator_id",
            "organization_id",
            name="uq_outlier_bound_key",
            postgresql_nulls_not_distinct=True,
        ),
        sa.CheckConstraint(
            "lower IS NOT NULL OR upper IS NOT NULL", name=op.f("ck_outlier_bound_some_side")
        ),
        sa.CheckConstraint("lower <= upper", name=op.f("ck_outlier_bound_ordered")),
        schema="api",
    )
    create_index_on("outlier_bound", "organization_id", schema="api")
    op.create_table(
        "outlier_flag",
        sa.Column("indicator_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("bound", sa.Float(), nullable=True),
        sa.Column("median", sa.Float(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("n", sa.Integer(), nullable=True),
        now_column("flagged_at"),
        sa.PrimaryKeyConstraint(
            "indicator_id", "organization_id", "period", "kind", name=op.f("pk_outlier_flag")
        ),
        sa.ForeignKeyConstraint(
            ["indicator_id", "organization_id", "period"],
            [
                "api.data_value.indicator_id",
                "api.data_value.organization_id",
                "api.data_value.period",
            ],
            name="fk_outlier_flag_data_value",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint(
            "kind IN ('min_max', 'territory_z', 'history_z')", name=op.f("ck_outlier_flag_kind")
        ),
        schema="api",
    )
    op.create_index(
        "ix_outlier_flag_organization_period",
        "outlier_flag",
        ["organization_id", "period"],
        schema="api",
    )


def downgrade() -> None:
    op.drop_table("outlier_flag", schema="api")
    op.drop_table("outlier_bound", schema="api")
