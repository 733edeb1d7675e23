"""Tokens carry the account's version

Revision ID: 0010_token_version
Revises: 0008_reports
Create Date: 2026-11-30 20:10:00

`api.user.token_version` is bumped on every change of role, scope, staff link, activity or
password, and tokens issued before it are refused.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_token_version"
down_revision: str | None = "0008_reports"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "user",
        sa.Column("token_version", sa.Integer(), server_default="0", nullable=False),
        schema="api",
    )


def downgrade() -> None:
    op.drop_column("user", "token_version", schema="api")
