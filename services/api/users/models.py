"""Users: people who sign in, each with one role and one scope."""

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime
from sqlmodel import Field

from shared.db import Entity


class User(Entity, table=True):
    __tablename__ = "user"
    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        CheckConstraint(
            "(role = 'admin') = (scope_type IS NULL) AND (scope_type IS NULL) = (scope_id IS NULL)",
            name="scope_matches_role",
        ),
        {"schema": "api"},
    )
    # Never written to the audit log.
    __audit_exclude__ = frozenset({"password_hash"})

    email: str = Field(max_length=320, unique=True)
    full_name: str = Field(max_length=300)
    password_hash: str = Field(max_length=200)
    role: str = Field(max_length=40)
    scope_type: str | None = Field(default=None, max_length=20)
    scope_id: uuid.UUID | None = Field(default=None, index=True)
    staff_id: uuid.UUID | None = Field(
        default=None, foreign_key="api.staff_member.id", ondelete="SET NULL"
    )
    is_active: bool = Field(default=True)
    # Bumped on every change of role, scope, staff link, activity or password: tokens carry it
    # (`ver`), and one issued before the change is refused by every service.
    token_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    last_login_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
