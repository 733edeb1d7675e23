"""Instruments' owning territory

`surveys.instrument.owner_territory_id` (uuid, NULL: shared): the territory whose analyst or
methodologist made the instrument. Its new versions are made by that territory's (or a
territory above it) analysts and methodologists, and by administrators. The bank's instruments
(stored from the bank's files) and those made by an administrator are shared by every
territory: only administrators version them. Instruments stored before have no owner: shared.

Revision ID: 0034_instrument_owner
Revises: 0033_organization_dates
Create Date: 2026-12-07 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision: str = "0034_instrument_owner"
down_revision: str | None = "0033_organization_dates"


def upgrade() -> None:
    op.add_column(
        "instrument", sa.Column("owner_territory_id", sa.Uuid(), nullable=True), schema="surveys"
    )


def downgrade() -> None:
    op.drop_column("instrument", "owner_territory_id", schema="surveys")
