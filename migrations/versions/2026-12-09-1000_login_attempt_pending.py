"""Sign-in attempts in flight counted apart from failures

`api.login_attempt.pending`: of a key's `attempts` in the window, those whose password is
still being checked. An attempt over the limit while the failures alone are within it waits
for those in flight instead of answering 429: one account signing in several times at once
(its right password each time) is no longer refused as if it had failed.

Revision ID: 0037_login_attempt_pending
Revises: 0036_campaign_groups_at_launch
Create Date: 2026-12-09 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision: str = "0037_login_attempt_pending"
down_revision: str | None = "0036_campaign_groups_at_launch"


def upgrade() -> None:
    op.add_column(
        "login_attempt",
        sa.Column("pending", sa.Integer(), server_default=sa.text("0"), nullable=False),
        schema="api",
    )


def downgrade() -> None:
    op.drop_column("login_attempt", "pending", schema="api")
