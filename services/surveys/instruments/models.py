"""The instrument bank: instruments and their versions (a published version never changes)."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Column, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlmodel import Field, SQLModel

from shared.db import Entity, timestamp_column


class Instrument(Entity, table=True):
    __tablename__ = "instrument"
    __table_args__ = (
        CheckConstraint("kind IN ('satisfaction', 'deficit', 'self_assessment')", name="kind"),
        {"schema": "surveys"},
    )

    code: str = Field(max_length=80, unique=True)
    kind: str = Field(max_length=20)
    title: str = Field(sa_column=Column(Text, nullable=False))
    audience: list[str] = Field(
        default_factory=list, sa_column=Column(ARRAY(Text), nullable=False, server_default="{}")
    )
    latest_version: int = Field(default=1)
    # The territory whose analysts and methodologists version it (and those above it); None:
    # shared by every territory (the bank's, an administrator's), versioned by administrators.
    owner_territory_id: uuid.UUID | None = None


class InstrumentVersion(SQLModel, table=True):
    __tablename__ = "instrument_version"
    __table_args__ = (
        UniqueConstraint("instrument_id", "version", name="uq_instrument_version_number"),
        {"schema": "surveys"},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    instrument_id: uuid.UUID = Field(foreign_key="surveys.instrument.id", ondelete="CASCADE")
    version: int
    definition: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    source: str | None = Field(default=None, max_length=200)  # "bank", "json", "xlsform"
    created_at: datetime = timestamp_column()
