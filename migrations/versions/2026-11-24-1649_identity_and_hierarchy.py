"""Identity and the hierarchy: territories, organizations, clusters, staff, users, keys, audit

Revision ID: 0002_identity
Revises: 0001_schemas
Create Date: 2026-11-24 16:49:06.642537
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.columns import entity_columns, foreign_key, now_column
from migrations.operations import create_index_on, drop_index_on

revision: str = "0002_identity"
down_revision: str | None = "0001_schemas"


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        now_column("at"),
        sa.Column("service", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("actor_kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("actor_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("actor_role", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("via", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("entity_type", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("entity_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column(
            "changes", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("request_id", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
        schema="api",
    )
    create_index_on("audit_event", "actor_id", schema="api")
    op.create_index(
        "ix_audit_event_entity",
        "audit_event",
        ["entity_type", "entity_id"],
        unique=False,
        schema="api",
    )
    op.create_table(
        "login_failure",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
        now_column("at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failure")),
        schema="api",
    )
    op.create_index(
        "ix_login_failure_key_at", "login_failure", ["key", "at"], unique=False, schema="api"
    )
    op.create_table(
        "territory",
        *entity_columns(),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint("kind IN ('region', 'municipality')", name=op.f("ck_territory_kind")),
        foreign_key("territory", "parent_id", "api.territory", ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_territory")),
        schema="api",
    )
    create_index_on("territory", "parent_id", schema="api")
    op.create_table(
        "organization",
        *entity_columns(),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("short_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("territory_id", sa.Uuid(), nullable=False),
        sa.Column(
            "context",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('school', 'kindergarten', 'additional', 'college')",
            name=op.f("ck_organization_kind"),
        ),
        foreign_key("organization", "territory_id", "api.territory", ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organization")),
        schema="api",
    )
    create_index_on("organization", "territory_id", schema="api")
    op.create_table(
        "api_key",
        *entity_columns(),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("prefix", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("key_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        foreign_key("api_key", "organization_id", "api.organization", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_key")),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_key_prefix")),
        schema="api",
    )
    create_index_on("api_key", "organization_id", schema="api")
    op.create_table(
        "cluster",
        *entity_columns(),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("territory_id", sa.Uuid(), nullable=False),
        sa.Column("coordinator_id", sa.Uuid(), nullable=True),
        foreign_key("cluster", "coordinator_id", "api.organization", ondelete="SET NULL"),
        foreign_key("cluster", "territory_id", "api.territory", ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cluster")),
        schema="api",
    )
    create_index_on("cluster", "territory_id", schema="api")
    op.create_table(
        "staff_member",
        *entity_columns(),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("full_name", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("position", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("subjects", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "position IN ('teacher', 'leader', 'deputy', 'methodologist', 'psychologist')",
            name=op.f("ck_staff_member_position"),
        ),
        foreign_key("staff_member", "organization_id", "api.organization", ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_member")),
        schema="api",
    )
    create_index_on("staff_member", "organization_id", schema="api")
    op.create_table(
        "cluster_member",
        sa.Column("cluster_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        foreign_key("cluster_member", "cluster_id", "api.cluster", ondelete="CASCADE"),
        foreign_key("cluster_member", "organization_id", "api.organization", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("cluster_id", "organization_id", name=op.f("pk_cluster_member")),
        schema="api",
    )
    create_index_on("cluster_member", "organization_id", schema="api")
    op.create_table(
        "user",
        *entity_columns(),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("full_name", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("password_hash", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("scope_type", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("scope_id", sa.Uuid(), nullable=True),
        sa.Column("staff_id", sa.Uuid(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(role = 'admin') = (scope_type IS NULL) AND (scope_type IS NULL) = (scope_id IS NULL)",
            name=op.f("ck_user_scope_matches_role"),
        ),
        sa.CheckConstraint("email = lower(email)", name=op.f("ck_user_email_lowercase")),
        foreign_key("user", "staff_id", "api.staff_member", ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user")),
        sa.UniqueConstraint("email", name=op.f("uq_user_email")),
        schema="api",
    )
    create_index_on("user", "scope_id", schema="api")


def downgrade() -> None:
    drop_index_on("user", "scope_id", schema="api")
    op.drop_table("user", schema="api")
    drop_index_on("cluster_member", "organization_id", schema="api")
    op.drop_table("cluster_member", schema="api")
    drop_index_on("staff_member", "organization_id", schema="api")
    op.drop_table("staff_member", schema="api")
    drop_index_on("cluster", "territory_id", schema="api")
    op.drop_table("cluster", schema="api")
    drop_index_on("api_key", "organization_id", schema="api")
    op.drop_table("api_key", schema="api")
    drop_index_on("organization", "territory_id", schema="api")
    op.drop_table("organization", schema="api")
    drop_index_on("territory", "parent_id", schema="api")
    op.drop_table("territory", schema="api")
    op.drop_index("ix_login_failure_key_at", table_name="login_failure", schema="api")
    op.drop_table("login_failure", schema="api")
    op.drop_index("ix_audit_event_entity", table_name="audit_event", schema="api")
    drop_index_on("audit_event", "actor_id", schema="api")
    op.drop_table("audit_event", schema="api")
