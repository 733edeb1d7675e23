"""Revoked access tokens: a denylist by `jti`, each row kept until the token's expiry

`POST /v1/auth/revoke` (RFC 7009) adds the presented token's `jti`; the api service refuses a
listed token, and answers `active: false` for it to the surveys and reports services. Rows past
their `expires_at` are purged on the next revocation (an expired token is refused anyway).

Revision ID: 0014_token_revocation
Revises: 0013_change_feeds
Create Date: 2026-12-01 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision: str = "0014_token_revocation"
down_revision: str | None = "0013_change_feeds"


def upgrade() -> None:
    op.create_table(
        "revoked_token",
        sa.Column("jti", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("jti", name=op.f("pk_revoked_token")),
        schema="api",
    )
    op.create_index(
        "ix_revoked_token_expires_at", "revoked_token", ["expires_at"], unique=False, schema="api"
    )


def downgrade() -> None:
    op.drop_index("ix_revoked_token_expires_at", table_name="revoked_token", schema="api")
    op.drop_table("revoked_token", schema="api")
