"""API keys of organizations' information systems: stored as a hash, shown once."""

import uuid
from datetime import datetime

from sqlalchemy import DateTime
from sqlmodel import Field

from shared.db import Entity


class ApiKey(Entity, table=True):
    __tablename__ = "api_key"
    __table_args__ = {"schema": "api"}
    __audit_exclude__ = frozenset({"key_hash"})

    organization_id: uuid.UUID = Field(
        foreign_key="api.organization.id", index=True, ondelete="CASCADE"
    )
    name: str = Field(max_length=200)
    # The public part of the key, used to find it; the secret part is only stored hashed.
    prefix: str = Field(max_length=32, unique=True)
    key_hash: str = Field(max_length=64)
    created_by: uuid.UUID | None = Field(default=None)
    revoked_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
