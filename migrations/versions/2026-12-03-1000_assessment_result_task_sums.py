"""Task sums on the school's summary result

`api.assessment_result` gets `specification_id` (the task specification its participants were
checked against) and `task_scores` ({task number: Σ that task's scores over the school's
participants}), both NULL for a result posted as a summary. Results already derived from stored
participants get them now, so the reports' task-level analysis needs no participant rows; the
update moves them in the change feed, which carries both fields to
`reports.fact_assessment_result`.

Revision ID: 0020_assessment_result_task_sums
Revises: 0019_assessment_task_feeds
Create Date: 2026-12-03 10:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.columns import foreign_key

revision: str = "0020_assessment_result_task_sums"
down_revision: str | None = "0019_assessment_task_feeds"

KEY = ("organization_id", "procedure_id", "year", "subject", "grade")


def upgrade() -> None:
    for schema, table in (("api", "assessment_result"), ("reports", "fact_assessment_result")):
        op.add_column(table, sa.Column("specification_id", sa.Uuid(), nullable=True), schema=schema)
        op.add_column(
            table, sa.Column("task_scores", postgresql.JSONB(), nullable=True), schema=schema
        )
    fk = foreign_key(
        "assessment_result", "specification_id", "api.assessment_specification", ondelete="SET NULL"
    )
    op.create_foreign_key(
        fk.name,
        "assessment_result",
        "assessment_specification",
        ["specification_id"],
        ["id"],
        source_schema="api",
        referent_schema="api",
        ondelete="SET NULL",
    )
    key = " AND ".join(f"r.{c} = d.{c}" for c in KEY)
    op.execute(
        f"""
        WITH d AS (
            SELECT {", ".join(KEY)}, min(specification_id::text)::uuid AS specification_id,
                   jsonb_object_agg(key, total ORDER BY key) AS task_scores
            FROM (SELECT {", ".join(f"p.{c}" for c in KEY)}, p.specification_id, t.key,
                         sum(t.value::int) AS total
                  FROM api.assessment_participant p, jsonb_each_text(p.task_scores) t
                  GROUP BY {", ".join(f"p.{c}" for c in KEY)}, p.specification_id, t.key) s
            GROUP BY {", ".join(KEY)}
        )
        UPDATE api.assessment_result r
        SET specification_id = d.specification_id, task_scores = d.task_scores
        FROM d WHERE {key}
        """  # noqa: S608 - constant column names of this migration
    )


def downgrade() -> None:
    op.drop_constraint(
        "fk_assessment_result_specification_id_assessment_specification",
        "assessment_result",
        schema="api",
        type_="foreignkey",
    )
    for schema, table in (("api", "assessment_result"), ("reports", "fact_assessment_result")):
        op.drop_column(table, "task_scores", schema=schema)
        op.drop_column(table, "specification_id", schema=schema)
