"""Sign-in attempts, counted per account and per address to throttle password guessing."""

from datetime import datetime

from sqlalchemy import Column, DateTime, Index, Integer, String, text
from sqlmodel import Field, SQLModel


class LoginAttempt(SQLModel, table=True):
    """One counter per key within a window: claimed before a password is checked, so that
    parallel attempts cannot all pass the count (see `services.api.auth.throttle`)."""

    __tablename__ = "login_attempt"
    __table_args__ = (Index("ix_login_attempt_window_start", "window_start"), {"schema": "api"})
    __audit__ = False

    # "account:<email>" or "address:<ip>"
    key: str = Field(sa_column=Column(String(400), primary_key=True))
    window_start: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    attempts: int = Field(sa_column=Column(Integer, nullable=False))
    # Of `attempts`, those whose password is being checked now (the rest are failures).
    pending: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, server_default=text("0"))
    )


class RevokedToken(SQLModel, table=True):
    """An access token revoked before its expiry (`POST /v1/auth/revoke`), by its `jti`: every
    service refuses it until `expires_at`, the token's own expiry, after which the row is
    purged (a token past its expiry is refused anyway)."""

    __tablename__ = "revoked_token"
    __table_args__ = (Index("ix_revoked_token_expires_at", "expires_at"), {"schema": "api"})
    __audit__ = False

    jti: str = Field(sa_column=Column(String(64), primary_key=True))
    expires_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
