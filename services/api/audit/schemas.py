"""The audit log: an event as administrators read it and as another service records it."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


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


class AuditEventCreate(BaseModel):
    """An event another service records here, e.g. a read of personal diagnostic results."""

    action: str = Field(min_length=1, max_length=40)
    entity_type: str = Field(min_length=1, max_length=60)
    entity_id: str | None = Field(default=None, max_length=100)
    changes: dict[str, Any] = Field(default_factory=dict)
