"""Surveys: instrument bank with versions, campaigns, invitations, responses, answers, scores

Revision ID: 0006_surveys
Revises: 0005_assessments
Create Date: 2026-11-24 17:22:19.619302
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006_surveys"
down_revision: str | None = "0005_assessments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "idempotency_key",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("principal", sa.String(length=100), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_key")),
        sa.UniqueConstraint("principal", "key", name="uq_idempotency_key_principal_key"),
        schema="surveys",
    )
    op.create_table(
        "instrument",
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
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["instrument_id"],
            ["surveys.instrument.id"],
            name=op.f("fk_instrument_version_instrument_id_instrument"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instrument_version")),
        sa.UniqueConstraint("instrument_id", "version", name="uq_instrument_version_number"),
        schema="surveys",
    )
    op.create_table(
        "campaign",
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
        sa.ForeignKeyConstraint(
            ["instrument_version_id"],
            ["surveys.instrument_version.id"],
            name=op.f("fk_campaign_instrument_version_id_instrument_version"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign")),
        schema="surveys",
    )
    op.create_index(
        op.f("ix_surveys_campaign_instrument_version_id"),
        "campaign",
        ["instrument_version_id"],
        unique=False,
        schema="surveys",
    )
    op.create_table(
        "campaign_organization",
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("expected", sa.Integer(), nullable=True),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["surveys.campaign.id"],
            name=op.f("fk_campaign_organization_campaign_id_campaign"),
            ondelete="CASCADE",
        ),
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
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["surveys.campaign.id"],
            name=op.f("fk_invitation_campaign_id_campaign"),
            ondelete="CASCADE",
        ),
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
    op.create_index(
        op.f("ix_surveys_invitation_staff_id"),
        "invitation",
        ["staff_id"],
        unique=False,
        schema="surveys",
    )
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
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["surveys.campaign.id"],
            name=op.f("fk_response_campaign_id_campaign"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["instrument_version_id"],
            ["surveys.instrument_version.id"],
            name=op.f("fk_response_instrument_version_id_instrument_version"),
        ),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["surveys.invitation.id"],
            name=op.f("fk_response_invitation_id_invitation"),
            ondelete="CASCADE",
        ),
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
    op.create_index(
        op.f("ix_surveys_response_staff_id"),
        "response",
        ["staff_id"],
        unique=False,
        schema="surveys",
    )
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
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["surveys.response.id"],
            name=op.f("fk_answer_response_id_response"),
            ondelete="CASCADE",
        ),
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
    op.create_index(
        op.f("ix_surveys_answer_response_id"),
        "answer",
        ["response_id"],
        unique=False,
        schema="surveys",
    )
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
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["surveys.response.id"],
            name=op.f("fk_competence_score_response_id_response"),
            ondelete="CASCADE",
        ),
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
    op.drop_index(op.f("ix_surveys_answer_response_id"), table_name="answer", schema="surveys")
    op.drop_index("ix_answer_campaign_org_question", table_name="answer", schema="surveys")
    op.drop_table("answer", schema="surveys")
    op.drop_index(op.f("ix_surveys_response_staff_id"), table_name="response", schema="surveys")
    op.drop_index("ix_response_campaign_org", table_name="response", schema="surveys")
    op.drop_table("response", schema="surveys")
    op.drop_index(op.f("ix_surveys_invitation_staff_id"), table_name="invitation", schema="surveys")
    op.drop_index("ix_invitation_campaign_org", table_name="invitation", schema="surveys")
    op.drop_table("invitation", schema="surveys")
    op.drop_index(
        "ix_campaign_organization_org", table_name="campaign_organization", schema="surveys"
    )
    op.drop_table("campaign_organization", schema="surveys")
    op.drop_index(
        op.f("ix_surveys_campaign_instrument_version_id"), table_name="campaign", schema="surveys"
    )
    op.drop_table("campaign", schema="surveys")
    op.drop_table("instrument_version", schema="surveys")
    op.drop_table("instrument", schema="surveys")
    op.drop_table("idempotency_key", schema="surveys")
