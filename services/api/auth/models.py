"""Sign-in attempts, counted per account and per address to throttle password guessing."""

from datetime import datetime

from sqlalchemy import Column, DateTime, Index, Integer, String
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
