"""Failed sign-ins, counted per account and per address to throttle password guessing."""

from datetime import datetime

from sqlalchemy import BigInteger, Column, Identity, Index
from sqlmodel import Field, SQLModel

from shared.db import timestamp_column


class LoginFailure(SQLModel, table=True):
    __tablename__ = "login_failure"
    __table_args__ = (Index("ix_login_failure_key_at", "key", "at"), {"schema": "api"})
    __audit__ = False

    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(), primary_key=True))
    key: str = Field(max_length=400)  # "account:<email>" or "address:<ip>"
    at: datetime = timestamp_column()
