"""Organizations' opening and closing dates

`api.organization` gets `opened_on` and `closed_on` (date, NULL: open since always / still
open; `closed_on >= opened_on`), as DHIS2's org units have `openingDate` and `closedDate`. A data
collection expects an organization in a window only when it was open during it (opened by the
due date, not closed before the opening date), so a school registered today is not late in a
window closed last year and one closed years ago is not expected in new ones. The change feed
carries both to `reports.fact_organization`, where the reports' data-quality status applies the
same rule. Organizations stored before have neither: they are expected as they were.

Revision ID: 0033_organization_dates
Revises: 0032_count_territory_flags
Create Date: 2026-12-06 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision: str = "0033_organization_dates"
down_revision: str | None = "0032_count_territory_flags"

DATES = ("opened_on", "closed_on")


def upgrade() -> None:
    for name in DATES:
        op.add_column("organization", sa.Column(name, sa.Date(), nullable=True), schema="api")
    op.create_check_constraint(
        op.f("ck_organization_open_dates"),
        "organization",
        "closed_on >= opened_on",
        schema="api",
    )
    for name in DATES:
        op.add_column(
            "fact_organization", sa.Column(name, sa.Date(), nullable=True), schema="reports"
        )


def downgrade() -> None:
    for name in reversed(DATES):
        op.drop_column("fact_organization", name, schema="reports")
    op.drop_constraint(
        op.f("ck_organization_open_dates"), "organization", schema="api", type_="check"
    )
    for name in reversed(DATES):
        op.drop_column("organization", name, schema="api")
