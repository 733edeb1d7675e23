"""The audit log: an event as administrators read it and as another service records it."""

import uuid
from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.validation import LocalDatetime


class AuditEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    service: str
    actor_kind: str
    actor_id: str | None
    actor_role: str | None
    via: str | None
    action: str
    entity_type: str
    entity_id: str | None
    changes: dict[str, Any]
    request_id: str | None
    address: str | None


class OutboxEntry(BaseModel):
    """Who made a change recorded in another service's outbox, and when; `id` is the entry's,
    under which it is stored once."""

    id: uuid.UUID
    at: AwareDatetime
    actor_kind: str = Field(max_length=20)
    actor_id: str | None = Field(default=None, max_length=100)
    actor_role: str | None = Field(default=None, max_length=40)
    request_id: str | None = Field(default=None, max_length=128)
    address: str | None = Field(default=None, max_length=64)


class AuditEventCreate(BaseModel):
    """An event another service records here, e.g. a read of personal diagnostic results."""

    action: str = Field(min_length=1, max_length=40)
    entity_type: str = Field(min_length=1, max_length=60)
    entity_id: str | None = Field(default=None, max_length=100)
    changes: dict[str, Any] = Field(default_factory=dict)
    entry: OutboxEntry | None = None  # from a service's outbox: who, when, its id


class EventFilter(BaseModel):
    """The query of the audit log (`Annotated[EventFilter, Query()]`): each given field must
    match; `since` inclusive, `until` exclusive."""

    entity_type: str | None = None
    entity_id: str | None = None
    actor_id: str | None = None
    action: str | None = None
    since: LocalDatetime | None = None
    until: LocalDatetime | None = None
