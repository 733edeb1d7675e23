"""Task specifications of assessment procedures (versioned, with their tasks) and participants'
results by task, under pseudonymous codes

`api.assessment_specification`: per (procedure, year, subject, grade, version) the mark scale
and its sources; `api.assessment_task`: its tasks as printed, maximum score, level, skill;
`api.assessment_participant`: one school's participants' scores by task. The shipped ВПР
specifications are added at the api's start-up (services/api/assessment_tasks/data/).

Revision ID: 0018_assessment_tasks
Revises: 0017_indicator_value_store
Create Date: 2026-12-02 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.columns import timestamps

revision: str = "0018_assessment_tasks"
down_revision: str | None = "0017_indicator_value_store"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "assessment_specification",
        sa.Column("id", sa.Uuid(), nullable=False),
        *timestamps(),
        sa.Column("procedure_id", sa.Uuid(), nullable=False),
        sa.Column("year", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("mark_scale", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.CheckConstraint("version >= 1", name=op.f("ck_assessment_specification_version")),
        sa.ForeignKeyConstraint(
            ["procedure_id", "subject", "grade"],
            [
                "api.assessment_subject.procedure_id",
                "api.assessment_subject.subject",
                "api.assessment_subject.grade",
            ],
            name="fk_assessment_specification_subject_assessment_subject",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_specification")),
        sa.UniqueConstraint(
            "procedure_id", "year", "subject", "grade", "version", name="uq_assessment_spec_key"
        ),
        schema="api",
    )
    op.create_table(
        "assessment_participant",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("specification_id", sa.Uuid(), nullable=False),
        sa.Column("procedure_id", sa.Uuid(), nullable=False),
        sa.Column("year", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("class_label", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column("variant", sa.Integer(), nullable=True),
        sa.Column("task_scores", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("total_score", sa.Integer(), nullable=False),
        sa.Column("mark", sa.Integer(), nullable=True),
        sa.Column("journal_mark", sa.Integer(), nullable=True),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=140), nullable=True),
        *timestamps(),
        sa.CheckConstraint(
            "journal_mark IS NULL OR journal_mark BETWEEN 2 AND 5",
            name=op.f("ck_assessment_participant_journal"),
        ),
        sa.CheckConstraint(
            "mark IS NULL OR mark BETWEEN 2 AND 5", name=op.f("ck_assessment_participant_mark")
        ),
        sa.CheckConstraint("total_score >= 0", name=op.f("ck_assessment_participant_total_score")),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["api.organization.id"],
            name=op.f("fk_assessment_participant_organization_id_organization"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["specification_id"],
            ["api.assessment_specification.id"],
            name=op.f("fk_assessment_participant_specification_id_assessment_specification"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_participant")),
        sa.UniqueConstraint(
            "organization_id",
            "procedure_id",
            "year",
            "subject",
            "grade",
            "code",
            name="uq_assessment_participant_key",
        ),
        schema="api",
    )
    op.create_index(
        "ix_assessment_participant_specification_id",
        "assessment_participant",
        ["specification_id"],
        unique=False,
        schema="api",
    )
    op.create_table(
        "assessment_task",
        sa.Column("specification_id", sa.Uuid(), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("max_score", sa.Integer(), nullable=False),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("skill", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "level IN ('basic', 'advanced', 'high')", name=op.f("ck_assessment_task_level")
        ),
        sa.CheckConstraint("max_score > 0", name=op.f("ck_assessment_task_max_score")),
        sa.ForeignKeyConstraint(
            ["specification_id"],
            ["api.assessment_specification.id"],
            name=op.f("fk_assessment_task_specification_id_assessment_specification"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("specification_id", "number", name=op.f("pk_assessment_task")),
        schema="api",
    )


def downgrade() -> None:
    op.drop_table("assessment_task", schema="api")
    op.drop_index(
        "ix_assessment_participant_specification_id",
        table_name="assessment_participant",
        schema="api",
    )
    op.drop_table("assessment_participant", schema="api")
    op.drop_table("assessment_specification", schema="api")
