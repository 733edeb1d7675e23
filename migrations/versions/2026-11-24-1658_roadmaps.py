"""Roadmaps: passport, sections, activities with parsed deadlines, status history, files

Revision ID: 0003_roadmaps
Revises: 0002_identity
Create Date: 2026-11-24 16:58:52.742687
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.columns import entity_columns, foreign_key, now_column
from migrations.operations import create_index_on, drop_index_on

revision: str = "0003_roadmaps"
down_revision: str | None = "0002_identity"


def upgrade() -> None:
    op.create_table(
        "roadmap",
        *entity_columns(),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("owner_type", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column(
            "passport", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "level IN ('region', 'municipality', 'cluster', 'organization')",
            name=op.f("ck_roadmap_level"),
        ),
        sa.CheckConstraint(
            "owner_type IN ('territory', 'cluster', 'organization')",
            name=op.f("ck_roadmap_owner_type"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roadmap")),
        schema="api",
    )
    op.create_index(
        "ix_roadmap_owner", "roadmap", ["owner_type", "owner_id"], unique=False, schema="api"
    )
    op.create_table(
        "roadmap_section",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("roadmap_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        foreign_key("roadmap_section", "roadmap_id", "api.roadmap", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roadmap_section")),
        schema="api",
    )
    create_index_on("roadmap_section", "roadmap_id", schema="api")
    op.create_table(
        "activity",
        *entity_columns(),
        sa.Column("roadmap_id", sa.Uuid(), nullable=False),
        sa.Column("section_id", sa.Uuid(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("deadline_text", sa.Text(), server_default="", nullable=False),
        sa.Column("deadline_kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("due_start", sa.Date(), nullable=True),
        sa.Column("due_end", sa.Date(), nullable=True),
        sa.Column("recurrence", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("recurrence_detail", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("responsible", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "responsible_organization_ids",
            postgresql.ARRAY(sa.Uuid()),
            server_default=sa.text("'{}'::uuid[]"),
            nullable=False,
        ),
        sa.Column(
            "responsible_staff_ids",
            postgresql.ARRAY(sa.Uuid()),
            server_default=sa.text("'{}'::uuid[]"),
            nullable=False,
        ),
        sa.Column("expected_result", sa.Text(), server_default="", nullable=False),
        sa.Column("evidence_description", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "evidence", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False
        ),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "status IN ('planned', 'in_progress', 'done', 'cancelled')",
            name=op.f("ck_activity_status"),
        ),
        foreign_key("activity", "roadmap_id", "api.roadmap", ondelete="CASCADE"),
        foreign_key("activity", "section_id", "api.roadmap_section", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity")),
        schema="api",
    )
    op.create_index(
        "ix_activity_responsible_organizations",
        "activity",
        ["responsible_organization_ids"],
        unique=False,
        schema="api",
        postgresql_using="gin",
    )
    op.create_index(
        "ix_activity_roadmap_position",
        "activity",
        ["roadmap_id", "position"],
        unique=False,
        schema="api",
    )
    create_index_on("activity", "due_end", schema="api")
    create_index_on("activity", "section_id", schema="api")
    op.create_table(
        "activity_file",
        *entity_columns(),
        sa.Column("activity_id", sa.Uuid(), nullable=False),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("content_type", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        foreign_key("activity_file", "activity_id", "api.activity", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_file")),
        schema="api",
    )
    create_index_on("activity_file", "activity_id", schema="api")
    op.create_table(
        "activity_status_change",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("activity_id", sa.Uuid(), nullable=False),
        sa.Column("from_status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("to_status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        now_column("changed_at"),
        sa.Column("changed_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        foreign_key("activity_status_change", "activity_id", "api.activity", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_status_change")),
        schema="api",
    )
    create_index_on("activity_status_change", "activity_id", schema="api")


def downgrade() -> None:
    drop_index_on("activity_status_change", "activity_id", schema="api")
    op.drop_table("activity_status_change", schema="api")
    drop_index_on("activity_file", "activity_id", schema="api")
    op.drop_table("activity_file", schema="api")
    drop_index_on("activity", "section_id", schema="api")
    drop_index_on("activity", "due_end", schema="api")
    op.drop_index("ix_activity_roadmap_position", table_name="activity", schema="api")
    op.drop_index(
        "ix_activity_responsible_organizations",
        table_name="activity",
        schema="api",
        postgresql_using="gin",
    )
    op.drop_table("activity", schema="api")
    drop_index_on("roadmap_section", "roadmap_id", schema="api")
    op.drop_table("roadmap_section", schema="api")
    op.drop_index("ix_roadmap_owner", table_name="roadmap", schema="api")
    op.drop_table("roadmap", schema="api")
