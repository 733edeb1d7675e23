"""The instrument bank: an instrument, a version, an instrument with its definition."""

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


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


class InstrumentListed(InstrumentRead):
    """An instrument as the bank lists it: with its versions, so that a client choosing one
    (the launch page) asks once, not once per instrument."""

    versions: list[VersionRead] = Field(description="Its stored versions, newest first")


class InstrumentDetail(InstrumentRead):
    version: int
    version_id: uuid.UUID
    definition: dict[str, Any]
    # True when an import defined the latest version unchanged: no new version was made.
    unchanged: bool = False


class InstrumentCodes(BaseModel):
    """The codes an instrument answers to, over all its versions: what an indicator definition
    may name (`params.instrument_code`, `question_codes`, `competences`)."""

    code: str
    kind: str
    question_codes: list[str] = Field(description="Every question's code of any version, sorted")
    competences: list[str] = Field(description="Every competence's code of any version, sorted")
