"""The instrument bank: an instrument, a version, an instrument with its definition."""

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class InstrumentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    code: str
    kind: str
    title: str
    audience: list[str]
    latest_version: int


class VersionRead(BaseModel):
    id: uuid.UUID
    version: int
    source: str | None
    created_at: datetime


class InstrumentDetail(InstrumentRead):
    version: int
    version_id: uuid.UUID
    definition: dict[str, Any]
    # True when an import defined the latest version unchanged: no new version was made.
    unchanged: bool = False
