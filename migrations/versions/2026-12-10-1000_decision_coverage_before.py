"""A management decision keeps its baseline's coverage

`reports.decision.coverage_before`: the organizations the indicator's value before the
decision (`value_before`) was made of, {"organizations_reporting", "organizations"}, copied
from the recommendation's evidence when the decision is taken (null: a value that counts no
organizations, or a decision taken before this revision). The effect compares the value after
with it only when the two are comparable (services/reports/recommendations/comparability.py):
a baseline made of one school of three is no ground for an effect. The read model cannot give
it later: the value before is kept as it was when decided, the period's values move on as
schools report, and the kept values' history drops a value replaced on its own day.

Revision ID: 0038_decision_coverage_before
Revises: 0037_login_attempt_pending
Create Date: 2026-12-10 10:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0038_decision_coverage_before"
down_revision: str | None = "0037_login_attempt_pending"


def upgrade() -> None:
    op.add_column(
        "decision",
        sa.Column("coverage_before", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        schema="reports",
    )


def downgrade() -> None:
    op.drop_column("decision", "coverage_before", schema="reports")
