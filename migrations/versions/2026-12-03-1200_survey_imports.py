"""Survey imports: the "import" channel and the imported rows' digests

`surveys.response.channel` takes "import" (a row of a Yandex Forms or Google Forms export
imported by someone who manages the campaign), so the column grows from 5 to 10 characters;
`surveys.imported_row` keeps a digest per imported row (campaign, organization, SHA-256), so
that importing a file again stores nothing twice. It links to no response and holds no time.

Revision ID: 0021_survey_imports
Revises: 0020_assessment_result_task_sums
Create Date: 2026-12-03 12:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

from migrations.columns import foreign_key

revision: str = "0021_survey_imports"
down_revision: str | None = "0020_assessment_result_task_sums"


def _channel(length: int, was: int, values: str) -> None:
    """`surveys.response.channel` as a text of `length` (from `was`) taking `values`."""
    op.drop_constraint("ck_response_channel", "response", schema="surveys", type_="check")
    op.alter_column(
        "response",
        "channel",
        type_=sqlmodel.sql.sqltypes.AutoString(length=length),
        existing_type=sqlmodel.sql.sqltypes.AutoString(length=was),
        existing_nullable=False,
        existing_server_default="web",
        schema="surveys",
    )
    op.create_check_constraint(
        "ck_response_channel", "response", f"channel IN ({values})", schema="surveys"
    )


def upgrade() -> None:
    _channel(10, 5, "'web', 'paper', 'import'")
    op.create_table(
        "imported_row",
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        foreign_key("imported_row", "campaign_id", "surveys.campaign", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint(
            "campaign_id", "organization_id", "digest", name=op.f("pk_imported_row")
        ),
        schema="surveys",
    )


def downgrade() -> None:
    op.drop_table("imported_row", schema="surveys")
    op.execute("UPDATE surveys.response SET channel = 'web' WHERE channel = 'import'")
    _channel(5, 10, "'web', 'paper'")
