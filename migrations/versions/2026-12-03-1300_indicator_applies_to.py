"""The kinds of organization an indicator applies to

`api.indicator` gets `applies_to`, the organization kinds (`school`, `kindergarten`,
`additional`, `college`) whose organizations the indicator is computed for: every kind by
default, so definitions already stored keep their values. The change feed carries it to
`reports.fact_indicator`, where the computation leaves organizations of other kinds out (of
their own values and of their groups').

Revision ID: 0022_indicator_applies_to
Revises: 0021_survey_imports
Create Date: 2026-12-03 13:00:00
"""

import sqlalchemy as sa
from alembic import op

revision: str = "0022_indicator_applies_to"
down_revision: str | None = "0021_survey_imports"

KINDS = "ARRAY['school', 'kindergarten', 'additional', 'college']::text[]"


def upgrade() -> None:
    op.add_column(
        "indicator",
        sa.Column("applies_to", sa.ARRAY(sa.Text()), nullable=False, server_default=sa.text(KINDS)),
        schema="api",
    )
    op.create_check_constraint(
        op.f("ck_indicator_applies_to"),
        "indicator",
        f"cardinality(applies_to) > 0 AND applies_to <@ {KINDS}",
        schema="api",
    )
    op.add_column(
        "fact_indicator",
        sa.Column("applies_to", sa.ARRAY(sa.Text()), nullable=True),
        schema="reports",
    )


def downgrade() -> None:
    op.drop_column("fact_indicator", "applies_to", schema="reports")
    op.drop_constraint(op.f("ck_indicator_applies_to"), "indicator", schema="api", type_="check")
    op.drop_column("indicator", "applies_to", schema="api")
