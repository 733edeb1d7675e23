"""Roadmaps: passport, sections, activities with parsed deadlines, status history, files

Revision ID: 0003_roadmaps
Revises: 0002_identity
Create Date: 2026-11-24 16:58:52.742687
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003_roadmaps"
down_revision: str | None = "0002_identity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "roadmap",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
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
        sa.ForeignKeyConstraint(
            ["roadmap_id"],
            ["api.roadmap.id"],
            name=op.f("fk_roadmap_section_roadmap_id_roadmap"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roadmap_section")),
        schema="api",
    )
    op.create_index(
        op.f("ix_api_roadmap_section_roadmap_id"),
        "roadmap_section",
        ["roadmap_id"],
        unique=False,
        schema="api",
    )
    op.create_table(
        "activity",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
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
        sa.ForeignKeyConstraint(
            ["roadmap_id"],
            ["api.roadmap.id"],
            name=op.f("fk_activity_roadmap_id_roadmap"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["section_id"],
            ["api.roadmap_section.id"],
            name=op.f("fk_activity_section_id_roadmap_section"),
            ondelete="CASCADE",
        ),
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
    op.create_index(
        op.f("ix_api_activity_due_end"), "activity", ["due_end"], unique=False, schema="api"
    )
    op.create_index(
        op.f("ix_api_activity_section_id"), "activity", ["section_id"], unique=False, schema="api"
    )
    op.create_table(
        "activity_file",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("activity_id", sa.Uuid(), nullable=False),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("content_type", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["api.activity.id"],
            name=op.f("fk_activity_file_activity_id_activity"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_file")),
        schema="api",
    )
    op.create_index(
        op.f("ix_api_activity_file_activity_id"),
        "activity_file",
        ["activity_id"],
        unique=False,
        schema="api",
    )
    op.create_table(
        "activity_status_change",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("activity_id", sa.Uuid(), nullable=False),
        sa.Column("from_status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("to_status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column(
            "changed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("changed_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["api.activity.id"],
            name=op.f("fk_activity_status_change_activity_id_activity"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_status_change")),
        schema="api",
    )
    op.create_index(
        op.f("ix_api_activity_status_change_activity_id"),
        "activity_status_change",
        ["activity_id"],
        unique=False,
        schema="api",
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_api_activity_status_change_activity_id"),
        table_name="activity_status_change",
        schema="api",
    )
    op.drop_table("activity_status_change", schema="api")
    op.drop_index(
        op.f("ix_api_activity_file_activity_id"), table_name="activity_file", schema="api"
    )
    op.drop_table("activity_file", schema="api")
    op.drop_index(op.f("ix_api_activity_section_id"), table_name="activity", schema="api")
    op.drop_index(op.f("ix_api_activity_due_end"), table_name="activity", schema="api")
    op.drop_index("ix_activity_roadmap_position", table_name="activity", schema="api")
    op.drop_index(
        "ix_activity_responsible_organizations",
        table_name="activity",
        schema="api",
        postgresql_using="gin",
    )
    op.drop_table("activity", schema="api")
    op.drop_index(
        op.f("ix_api_roadmap_section_roadmap_id"), table_name="roadmap_section", schema="api"
    )
    op.drop_table("roadmap_section", schema="api")
    op.drop_index("ix_roadmap_owner", table_name="roadmap", schema="api")
    op.drop_table("roadmap", schema="api")
