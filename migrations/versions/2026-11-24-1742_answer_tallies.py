"""Survey answer tallies: running totals per campaign, organization, question and answer

Revision ID: 0007_answer_tallies
Revises: 0006_surveys
Create Date: 2026-11-24 17:42:04.305898
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

from migrations.columns import foreign_key

revision: str = "0007_answer_tallies"
down_revision: str | None = "0006_surveys"


def upgrade() -> None:
    op.create_table(
        "answer_tally",
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("question", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("value", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("number_sum", sa.Float(), server_default="0", nullable=False),
        sa.Column("number_count", sa.Integer(), nullable=False),
        sa.Column("positive", sa.Integer(), nullable=False),
        sa.Column("rated", sa.Integer(), nullable=False),
        foreign_key("answer_tally", "campaign_id", "surveys.campaign", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint(
            "campaign_id", "organization_id", "question", "value", name=op.f("pk_answer_tally")
        ),
        schema="surveys",
    )


def downgrade() -> None:
    op.drop_table("answer_tally", schema="surveys")
