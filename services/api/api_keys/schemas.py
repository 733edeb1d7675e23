"""API keys of an organization: what a client sends and reads."""

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from shared.texts import FilledText


class ApiKeyCreate(BaseModel):
    name: FilledText = Field(
        max_length=200,
        description="For example: «АИС школы» (the school's information system)",
    )


class ApiKeyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    organization_id: uuid.UUID
    name: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyRead):
    key: str | None = Field(
        description="Shown once: store it. Null in a replay of the creation (the same "
        "Idempotency-Key again, `Idempotent-Replayed: true`): the secret is never kept; "
        "revoke that key by its id and create another"
    )
