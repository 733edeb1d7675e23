"""Surveys: instrument bank with versions, campaigns, invitations, responses, answers, scores

Revision ID: 0006_surveys
Revises: 0005_assessments
Create Date: 2026-11-24 17:22:19.619302
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.columns import entity_columns, foreign_key, now_column
from migrations.operations import create_idempotency_key_table, create_index_on, drop_index_on

revision: str = "0006_surveys"
down_revision: str | None = "0005_assessments"


def upgrade() -> None:
    create_idempotency_key_table("surveys")
    op.create_table(
        "instrument",
        *entity_columns(),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("audience", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("latest_version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('satisfaction', 'deficit', 'self_assessment')",
            name=op.f("ck_instrument_kind"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instrument")),
        sa.UniqueConstraint("code", name=op.f("uq_instrument_code")),
        schema="surveys",
    )
    op.create_table(
        "instrument_version",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("instrument_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("definition", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        now_column("created_at"),
        foreign_key(
            "instrument_version", "instrument_id", "surveys.instrument", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instrument_version")),
        sa.UniqueConstraint("instrument_id", "version", name="uq_instrument_version_number"),
        schema="surveys",
    )
    op.create_table(
        "campaign",
        *entity_columns(),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("instrument_version_id", sa.Uuid(), nullable=False),
        sa.Column("audience", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.CheckConstraint(
            "audience IN ('parents', 'teachers', 'leaders', 'students')",
            name=op.f("ck_campaign_audience"),
        ),
        sa.CheckConstraint("closes_at > opens_at", name=op.f("ck_campaign_window")),
        foreign_key(
            "campaign", "instrument_version_id", "surveys.instrument_version", ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign")),
        schema="surveys",
    )
    create_index_on("campaign", "instrument_version_id", schema="surveys")
    op.create_table(
        "campaign_organization",
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("expected", sa.Integer(), nullable=True),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        foreign_key("campaign_organization", "campaign_id", "surveys.campaign", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint(
            "campaign_id", "organization_id", name=op.f("pk_campaign_organization")
        ),
        sa.UniqueConstraint("code", name=op.f("uq_campaign_organization_code")),
        schema="surveys",
    )
    op.create_index(
        "ix_campaign_organization_org",
        "campaign_organization",
        ["organization_id"],
        unique=False,
        schema="surveys",
    )
    op.create_table(
        "invitation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=False),
        sa.Column("full_name", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        foreign_key("invitation", "campaign_id", "surveys.campaign", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation")),
        sa.UniqueConstraint("code", name=op.f("uq_invitation_code")),
        schema="surveys",
    )
    op.create_index(
        "ix_invitation_campaign_org",
        "invitation",
        ["campaign_id", "organization_id"],
        unique=False,
        schema="surveys",
    )
    create_index_on("invitation", "staff_id", schema="surveys")
    op.create_table(
        "response",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("instrument_version_id", sa.Uuid(), nullable=False),
        sa.Column("invitation_id", sa.Uuid(), nullable=True),
        sa.Column("staff_id", sa.Uuid(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("draft", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("submitted_on", sa.Date(), nullable=True),
        sa.CheckConstraint("status IN ('draft', 'submitted')", name=op.f("ck_response_status")),
        foreign_key("response", "campaign_id", "surveys.campaign", ondelete="CASCADE"),
        foreign_key("response", "instrument_version_id", "surveys.instrument_version"),
        foreign_key("response", "invitation_id", "surveys.invitation", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_response")),
        sa.UniqueConstraint("invitation_id", name=op.f("uq_response_invitation_id")),
        schema="surveys",
    )
    op.create_index(
        "ix_response_campaign_org",
        "response",
        ["campaign_id", "organization_id", "status"],
        unique=False,
        schema="surveys",
    )
    create_index_on("response", "staff_id", schema="surveys")
    op.create_table(
        "answer",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("response_id", sa.Uuid(), nullable=False),
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("question", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("option", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("options", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.Column("number", sa.Float(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("positive", sa.Boolean(), nullable=True),
        sa.Column("points", sa.Float(), nullable=True),
        foreign_key("answer", "response_id", "surveys.response", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer")),
        schema="surveys",
    )
    op.create_index(
        "ix_answer_campaign_org_question",
        "answer",
        ["campaign_id", "organization_id", "question"],
        unique=False,
        schema="surveys",
    )
    create_index_on("answer", "response_id", schema="surveys")
    op.create_table(
        "competence_score",
        sa.Column("response_id", sa.Uuid(), nullable=False),
        sa.Column("competence", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("max_score", sa.Float(), nullable=False),
        sa.Column("deficit", sa.Boolean(), nullable=False),
        foreign_key("competence_score", "response_id", "surveys.response", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("response_id", "competence", name=op.f("pk_competence_score")),
        schema="surveys",
    )
    op.create_index(
        "ix_competence_score_campaign_org",
        "competence_score",
        ["campaign_id", "organization_id", "competence"],
        unique=False,
        schema="surveys",
    )


def downgrade() -> None:
    op.drop_index(
        "ix_competence_score_campaign_org", table_name="competence_score", schema="surveys"
    )
    op.drop_table("competence_score", schema="surveys")
    drop_index_on("answer", "response_id", schema="surveys")
    op.drop_index("ix_answer_campaign_org_question", table_name="answer", schema="surveys")
    op.drop_table("answer", schema="surveys")
    drop_index_on("response", "staff_id", schema="surveys")
    op.drop_index("ix_response_campaign_org", table_name="response", schema="surveys")
    op.drop_table("response", schema="surveys")
    drop_index_on("invitation", "staff_id", schema="surveys")
    op.drop_index("ix_invitation_campaign_org", table_name="invitation", schema="surveys")
    op.drop_table("invitation", schema="surveys")
    op.drop_index(
        "ix_campaign_organization_org", table_name="campaign_organization", schema="surveys"
    )
    op.drop_table("campaign_organization", schema="surveys")
    drop_index_on("campaign", "instrument_version_id", schema="surveys")
    op.drop_table("campaign", schema="surveys")
    op.drop_table("instrument_version", schema="surveys")
    op.drop_table("instrument", schema="surveys")
    op.drop_table("idempotency_key", schema="surveys")
