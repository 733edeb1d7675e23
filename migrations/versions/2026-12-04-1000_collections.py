"""Data collections, their reporting windows, and the approval of what organizations report

`api.collection` names the indicators (`indicator_ids`) that the organizations of some kinds
(`organization_kinds`) under a territory (`owner_territory_id`) report; `api.collection_window`
gives each period its opening and due dates; `api.collection_approval` keeps where each
organization's data of a collection and period stand (submitted, returned, approved by `level`
territories) and `api.collection_approval_step` every step taken.

Revision ID: 0023_collections
Revises: 0022_indicator_applies_to
Create Date: 2026-12-04 10:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.columns import entity_columns, foreign_key, now_column
from migrations.operations import create_index_on

revision: str = "0023_collections"
down_revision: str | None = "0022_indicator_applies_to"

ACTIONS = "'submit', 'approve', 'return', 'unapprove'"


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "collection",
        *entity_columns(),
        sa.Column("name", _text(300), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("owner_territory_id", sa.Uuid(), nullable=False),
        sa.Column(
            "organization_kinds",
            postgresql.ARRAY(sa.Text()),
            server_default=sa.text("'{school}'::text[]"),
            nullable=False,
        ),
        sa.Column("indicator_ids", postgresql.ARRAY(sa.Uuid()), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "cardinality(indicator_ids) > 0", name=op.f("ck_collection_indicator_ids")
        ),
        sa.CheckConstraint(
            "cardinality(organization_kinds) > 0", name=op.f("ck_collection_organization_kinds")
        ),
        foreign_key("collection", "owner_territory_id", "api.territory", ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collection")),
        schema="api",
    )
    create_index_on("collection", "owner_territory_id", schema="api")
    op.create_table(
        "collection_window",
        sa.Column("collection_id", sa.Uuid(), nullable=False),
        sa.Column("period", _text(20), nullable=False),
        sa.Column("opens_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.CheckConstraint("due_date >= opens_date", name=op.f("ck_collection_window_dates")),
        foreign_key("collection_window", "collection_id", "api.collection", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("collection_id", "period", name=op.f("pk_collection_window")),
        schema="api",
    )
    op.create_table(
        "collection_approval",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("collection_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("period", _text(20), nullable=False),
        sa.Column("status", _text(20), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("last_action", _text(20), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        now_column("updated_at"),
        sa.CheckConstraint(
            "status IN ('submitted', 'returned', 'approved')",
            name=op.f("ck_collection_approval_status"),
        ),
        sa.CheckConstraint(
            f"last_action IN ({ACTIONS})", name=op.f("ck_collection_approval_last_action")
        ),
        sa.CheckConstraint(
            "(status = 'approved') = (level > 0)", name=op.f("ck_collection_approval_level")
        ),
        foreign_key("collection_approval", "collection_id", "api.collection", ondelete="CASCADE"),
        foreign_key(
            "collection_approval", "organization_id", "api.organization", ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collection_approval")),
        sa.UniqueConstraint(
            "collection_id", "organization_id", "period", name="uq_collection_approval_key"
        ),
        schema="api",
    )
    op.create_index(
        "ix_collection_approval_organization_period",
        "collection_approval",
        ["organization_id", "period"],
        schema="api",
    )
    op.create_table(
        "collection_approval_step",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("collection_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("period", _text(20), nullable=False),
        sa.Column("action", _text(20), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("territory_id", sa.Uuid(), nullable=True),
        sa.Column("status", _text(20), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("actor_id", _text(100), nullable=True),
        sa.Column("actor_name", _text(300), nullable=True),
        now_column("at"),
        sa.CheckConstraint(
            f"action IN ({ACTIONS})", name=op.f("ck_collection_approval_step_action")
        ),
        foreign_key(
            "collection_approval_step", "collection_id", "api.collection", ondelete="CASCADE"
        ),
        foreign_key(
            "collection_approval_step", "organization_id", "api.organization", ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collection_approval_step")),
        schema="api",
    )
    op.create_index(
        "ix_collection_approval_step_key",
        "collection_approval_step",
        ["collection_id", "organization_id", "period"],
        schema="api",
    )


def downgrade() -> None:
    op.drop_table("collection_approval_step", schema="api")
    op.drop_table("collection_approval", schema="api")
    op.drop_table("collection_window", schema="api")
    op.drop_table("collection", schema="api")
