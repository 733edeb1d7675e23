"""Tokens carry the account's version; sign-in attempts are claimed in one counter per key

Revision ID: 0010_token_version
Revises: 0009_anonymity
Create Date: 2026-11-30 20:10:00

`api.user.token_version` is bumped on every change of role, scope, staff link, activity or
password, and tokens issued before it are refused. `api.login_attempt` replaces the list of
failures in `api.login_failure`: failures of the last minute are not carried over (a throttle
window at most is forgotten at the upgrade).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010_token_version"
down_revision: str | None = "0009_anonymity"


def upgrade() -> None:
    op.add_column(
        "user",
        sa.Column("token_version", sa.Integer(), server_default="0", nullable=False),
        schema="api",
    )
    op.create_table(
        "login_attempt",
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_attempt")),
        schema="api",
    )
    op.create_index(
        "ix_login_attempt_window_start",
        "login_attempt",
        ["window_start"],
        unique=False,
        schema="api",
    )
    op.drop_index(op.f("ix_login_failure_key_at"), table_name="login_failure", schema="api")
    op.drop_table("login_failure", schema="api")


def downgrade() -> None:
    op.create_table(
        "login_failure",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("key", sa.VARCHAR(length=400), nullable=False),
        sa.Column(
            "at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failure")),
        schema="api",
    )
    op.create_index(
        op.f("ix_login_failure_key_at"), "login_failure", ["key", "at"], unique=False, schema="api"
    )
    op.drop_index("ix_login_attempt_window_start", table_name="login_attempt", schema="api")
    op.drop_table("login_attempt", schema="api")
    op.drop_column("user", "token_version", schema="api")
