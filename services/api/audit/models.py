"""The audit log: who changed what and when, and who read personal diagnostic results."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Identity, Index, Uuid, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from shared.db import timestamp_column


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    __table_args__ = (
        # A thing's events are looked up by its id, by equality only: a hash index, which a
        # bulk import's 10,000 events (one per value, ids in no order) enter about twice as
        # fast as a btree over (entity_type, entity_id) (bench/import_bench.py).
        Index("ix_audit_event_entity_id", "entity_id", postgresql_using="hash"),
        # Only the entries of another service's outbox carry an id: the rest are not indexed.
        Index(
            "uq_audit_event_entry_id",
            "entry_id",
            unique=True,
            postgresql_where=text("entry_id IS NOT NULL"),
        ),
        {"schema": "api"},
    )
    __audit__ = False

    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(), primary_key=True))
    at: datetime = timestamp_column()
    service: str = Field(max_length=20)
    actor_kind: str = Field(max_length=20)  # user, api_key, service, system
    actor_id: str | None = Field(default=None, max_length=100, index=True)
    actor_role: str | None = Field(default=None, max_length=40)
    via: str | None = Field(default=None, max_length=20)
    action: str = Field(max_length=40)  # create, update, delete, read_personal, ...
    entity_type: str = Field(max_length=60)
    entity_id: str | None = Field(default=None, max_length=100)
    changes: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSONB, nullable=False, server_default="{}")
    )
    request_id: str | None = Field(default=None, max_length=128)
    address: str | None = Field(default=None, max_length=64)
    # The id of an entry another service sent from its outbox: stored once however often sent.
    entry_id: uuid.UUID | None = Field(default=None, sa_column=Column(Uuid))
