"""Task specifications and participants' results in the api change feed, and their facts

`api.assessment_specification`, `api.assessment_task` and `api.assessment_participant` get
positions and the change triggers (`migrations.operations.track_changes`): the api feed carries
them as the entities `assessment_specification`, `assessment_task` and `assessment_participant`
(services/api/changes/entities.py). Rows already stored get this migration's transaction as
their position, so a follower past every earlier change still gets them.

The reports service keeps them in `reports.fact_assessment_specification`,
`reports.fact_assessment_task` and `reports.fact_assessment_participant` (participants under
pseudonymous codes only; indexed by procedure, year, subject and grade, and by organization).

Revision ID: 0019_assessment_task_feeds
Revises: 0018_assessment_tasks
Create Date: 2026-12-02 11:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.operations import track_changes, untrack_changes

revision: str = "0019_assessment_task_feeds"
down_revision: str | None = "0018_assessment_tasks"

# entity (and table of the api schema) -> key columns
TRACKED = {
    "assessment_specification": ("id",),
    "assessment_task": ("specification_id", "number"),
    "assessment_participant": ("id",),
}
PARTICIPANT_INDEXES = {
    "ix_fact_assessment_participant_procedure_id_year_subject_grade": [
        "procedure_id",
        "year",
        "subject",
        "grade",
    ],
    "ix_fact_assessment_participant_organization_id": ["organization_id"],
}


def _nullable(**columns: sa.types.TypeEngine) -> list[sa.Column]:
    """A fact's state columns, each nullable, in the order given."""
    return [sa.Column(name, type_, nullable=True) for name, type_ in columns.items()]


def upgrade() -> None:
    for entity, key in TRACKED.items():
        track_changes(f"api.{entity}", entity, key)
    uuid, text, integer, jsonb = sa.Uuid(), sa.Text(), sa.Integer(), postgresql.JSONB()
    op.create_table(
        "fact_assessment_specification",
        sa.Column("id", uuid, nullable=False),
        *_nullable(procedure_id=uuid, procedure_code=text, year=text, subject=text),
        *_nullable(grade=integer, version=integer, mark_scale=jsonb),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact_assessment_specification")),
        schema="reports",
    )
    op.create_table(
        "fact_assessment_task",
        sa.Column("specification_id", uuid, nullable=False),
        sa.Column("number", text, nullable=False),
        *_nullable(position=integer, max_score=integer, level=text, skill=text),
        sa.PrimaryKeyConstraint("specification_id", "number", name=op.f("pk_fact_assessment_task")),
        schema="reports",
    )
    op.create_table(
        "fact_assessment_participant",
        sa.Column("id", uuid, nullable=False),
        *_nullable(organization_id=uuid, specification_id=uuid, procedure_id=uuid),
        *_nullable(year=text, subject=text, grade=integer, code=text, class_label=text),
        *_nullable(variant=integer, task_scores=jsonb, total_score=integer, mark=integer),
        *_nullable(journal_mark=integer, updated_at=sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact_assessment_participant")),
        schema="reports",
    )
    for name, columns in PARTICIPANT_INDEXES.items():
        op.create_index(name, "fact_assessment_participant", columns, schema="reports")


def downgrade() -> None:
    for name in PARTICIPANT_INDEXES:
        op.drop_index(name, table_name="fact_assessment_participant", schema="reports")
    op.drop_table("fact_assessment_participant", schema="reports")
    op.drop_table("fact_assessment_task", schema="reports")
    op.drop_table("fact_assessment_specification", schema="reports")
    for entity in reversed(TRACKED):
        untrack_changes(f"api.{entity}")
