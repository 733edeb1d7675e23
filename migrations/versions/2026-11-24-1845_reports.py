"""Reports: snapshots, recommendation rules, recommendations, decisions, PD programmes, routes

Revision ID: 0008_reports
Revises: 0007_answer_tallies
Create Date: 2026-11-24 18:45:58.346055
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.columns import entity_columns, foreign_key, now_column
from migrations.operations import create_index_on, drop_index_on

revision: str = "0008_reports"
down_revision: str | None = "0007_answer_tallies"


def upgrade() -> None:
    op.create_table(
        "individual_route",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=False),
        sa.Column("full_name", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("territory_id", sa.Uuid(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("deficits", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("steps", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        now_column("built_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_individual_route")),
        sa.UniqueConstraint("staff_id", "period", name="uq_individual_route_staff_period"),
        schema="reports",
    )
    create_index_on("individual_route", "organization_id", schema="reports")
    op.create_table(
        "pd_programme",
        *entity_columns(),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("provider", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("hours", sa.Integer(), nullable=False),
        sa.Column("competences", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("format", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pd_programme")),
        sa.UniqueConstraint("code", name=op.f("uq_pd_programme_code")),
        schema="reports",
    )
    op.create_table(
        "recommendation_rule",
        *entity_columns(),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("condition", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column(
            "params", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("addressee_type", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("template", sa.Text(), nullable=False),
        sa.Column(
            "actions", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "addressee_type IN ('organization_leader', 'teacher', 'pd_centre', 'authority')",
            name=op.f("ck_recommendation_rule_addressee_type"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendation_rule")),
        sa.UniqueConstraint("code", name=op.f("uq_recommendation_rule_code")),
        schema="reports",
    )
    op.create_table(
        "snapshot",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("scope_type", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("scope_id", sa.Uuid(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("inputs", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("inputs_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        now_column("computed_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_snapshot")),
        sa.UniqueConstraint(
            "kind", "scope_type", "scope_id", "period", "inputs_hash", name="uq_snapshot_inputs"
        ),
        schema="reports",
    )
    op.create_index(
        "ix_snapshot_key_at",
        "snapshot",
        ["kind", "scope_type", "scope_id", "period", "computed_at"],
        unique=False,
        schema="reports",
    )
    op.create_table(
        "recommendation",
        *entity_columns(),
        sa.Column("rule_id", sa.Uuid(), nullable=True),
        sa.Column("rule_code", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("addressee_type", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("addressee_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=True),
        sa.Column("territory_id", sa.Uuid(), nullable=False),
        sa.Column(
            "territory_ids", postgresql.ARRAY(sa.Uuid()), server_default="{}", nullable=False
        ),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("indicator_code", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "actions", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False
        ),
        sa.Column(
            "evidence", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column(
            "history", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False
        ),
        sa.CheckConstraint(
            "addressee_type IN ('organization_leader', 'teacher', 'pd_centre', 'authority')",
            name=op.f("ck_recommendation_addressee_type"),
        ),
        sa.CheckConstraint(
            "status IN ('new', 'accepted', 'in_progress', 'done', 'rejected')",
            name=op.f("ck_recommendation_status"),
        ),
        foreign_key(
            "recommendation", "rule_id", "reports.recommendation_rule", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendation")),
        schema="reports",
    )
    op.create_index(
        "ix_recommendation_organization",
        "recommendation",
        ["organization_id", "period"],
        unique=False,
        schema="reports",
    )
    op.create_index(
        "ix_recommendation_scope",
        "recommendation",
        ["territory_id", "period", "addressee_type"],
        unique=False,
        schema="reports",
    )
    op.create_index(
        "ix_recommendation_territory_ids",
        "recommendation",
        ["territory_ids"],
        unique=False,
        schema="reports",
        postgresql_using="gin",
    )
    op.create_table(
        "decision",
        *entity_columns(),
        sa.Column("recommendation_id", sa.Uuid(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("responsible", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("indicator_code", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("scope_type", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("scope_id", sa.Uuid(), nullable=True),
        sa.Column("period_before", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("value_before", sa.Float(), nullable=True),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        foreign_key("decision", "recommendation_id", "reports.recommendation", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision")),
        schema="reports",
    )
    create_index_on("decision", "recommendation_id", schema="reports")


def downgrade() -> None:
    drop_index_on("decision", "recommendation_id", schema="reports")
    op.drop_table("decision", schema="reports")
    op.drop_index("ix_recommendation_territory_ids", table_name="recommendation", schema="reports")
    op.drop_index("ix_recommendation_scope", table_name="recommendation", schema="reports")
    op.drop_index("ix_recommendation_organization", table_name="recommendation", schema="reports")
    op.drop_table("recommendation", schema="reports")
    op.drop_index("ix_snapshot_key_at", table_name="snapshot", schema="reports")
    op.drop_table("snapshot", schema="reports")
    op.drop_table("recommendation_rule", schema="reports")
    op.drop_table("pd_programme", schema="reports")
    drop_index_on("individual_route", "organization_id", schema="reports")
    op.drop_table("individual_route", schema="reports")
