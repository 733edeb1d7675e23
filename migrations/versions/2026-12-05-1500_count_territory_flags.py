"""Counts are no longer compared within the territory: their territory_z flags are cleared

`services/api/outliers/checks.py` no longer computes the territory check (`territory_z`) for
indicators whose unit is `count` (pupils, teachers, participants): such figures grow with a
school's size, so a town school's were flagged beside its village neighbours' without being
wrong. A recomputed group clears its flags; this clears those stored before, at once, so that
`GET /v1/outliers`, the import summaries and the reports' data-quality section agree from the
upgrade on. The deletes go through the table's change-feed triggers (tombstones), so the
reports service's facts drop them too. Nothing to give back on downgrade: the next write of a
group's values recomputes its flags by the code then running.

Revision ID: 0032_count_territory_flags
Revises: 0031_change_position_defaults
Create Date: 2026-12-05 15:00:00
"""

from alembic import op

revision: str = "0032_count_territory_flags"
down_revision: str | None = "0031_change_position_defaults"


def upgrade() -> None:
    op.execute(
        """
        DELETE FROM api.outlier_flag f USING api.indicator i
        WHERE i.id = f.indicator_id AND i.unit = 'count' AND f.kind = 'territory_z'
        """
    )


def downgrade() -> None:
    pass
