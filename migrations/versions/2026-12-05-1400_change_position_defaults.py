"""A new row's change-feed position comes from its columns' defaults, not a row trigger

Every table a change feed carries had a plpgsql BEFORE INSERT row trigger
(`changes_stamp_insert`, revision 0013 and `migrations.operations.track_changes`) setting
`change_xid` and `change_seq`; a plpgsql call per row, about a seventh of a
bulk import's insert (35 of 235 ms for 10,000 rows).
The same two expressions become the columns' defaults (`pg_current_xact_id()::text::bigint`,
`nextval('<schema>.change_seq')`, evaluated per row in the writing transaction), and the trigger
stays only as a guard, called for a row that names a position of its own: a `change_xid`
other than the writing transaction's or a `change_seq` other than the one its default drew
(WHEN, evaluated without a plpgsql call; `migrations.operations.stamp_positions_by_default`):
such a row is stamped as before, so whoever writes (ORM, bulk SQL, COPY, later migrations)
still cannot give two rows one position. Rows that name no position (every writer of this code base: the models
do not map the columns) never call it. The update trigger (`changes_stamp_update`) and the
others are unchanged.

The tables: every table of the api and surveys schemas with a `changes_stamp_insert` trigger,
but the tally of anonymous answers (`surveys.answer_tally`, `operations.ANONYMOUS`: a table of
anonymous answers keeps no column default drawing from a sequence; its trigger stays as it was),
i.e. every other table either feed carries at this revision (0013's and those `track_changes` added
since), read from the catalogue; tests/test_change_positions.py checks every entity's table
has the defaults and the guard, and that a downgrade gives back 0030's shape.

Revision ID: 0031_change_position_defaults
Revises: 0030_recommendation_resolved
Create Date: 2026-12-05 14:00:00
"""

import sqlalchemy as sa
from alembic import op

from migrations.operations import (
    ANONYMOUS,
    stamp_positions_by_default,
    stamp_positions_by_trigger,
)

revision: str = "0031_change_position_defaults"
down_revision: str | None = "0030_recommendation_resolved"

# Tables (schema-qualified) with the insert trigger, in one order.
_STAMPED = sa.text(
    """SELECT format('%I.%I', n.nspname, c.relname) FROM pg_trigger t
    JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE t.tgname = 'changes_stamp_insert' AND n.nspname IN ('api', 'surveys') ORDER BY 1"""
)


def _tracked() -> list[str]:
    """The tracked tables but those of anonymous answers (`ANONYMOUS`: no sequence default)."""
    return [t for t in op.get_bind().execute(_STAMPED).scalars() if t not in ANONYMOUS]


def upgrade() -> None:
    for table in _tracked():
        stamp_positions_by_default(table)


def downgrade() -> None:
    for table in _tracked():
        stamp_positions_by_trigger(table)
