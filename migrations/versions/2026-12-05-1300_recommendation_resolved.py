"""A recommendation whose cause no longer holds is marked so, with the moment

`reports.recommendation.resolved_at`: when a generation found the condition that issued an
open recommendation no longer holding (null: it holds, or was never judged again). Nothing is
deleted: the status, history and decisions stay.

Revision ID: 0030_recommendation_resolved
Revises: 0029_approval_withdraw
Create Date: 2026-12-05 13:00:00
"""

import sqlalchemy as sa
from alembic import op

revision: str = "0030_recommendation_resolved"
down_revision: str | None = "0029_approval_withdraw"


def upgrade() -> None:
    op.add_column(
        "recommendation",
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        schema="reports",
    )


def downgrade() -> None:
    op.drop_column("recommendation", "resolved_at", schema="reports")
