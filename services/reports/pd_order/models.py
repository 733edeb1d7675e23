"""The catalogue of professional-development programmes and teachers' individual routes."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlmodel import Field, SQLModel

from shared.db import Entity, timestamp_column


class PdProgramme(Entity, table=True):
    """A programme of the PD centre (ЦНППМ, ИМЦ): which competences it addresses. Without an
    owner territory it is in the global catalogue (an administrator's); with one, that
    territory's own, offered there and below."""

    __tablename__ = "pd_programme"
    __table_args__ = {"schema": "reports"}

    code: str = Field(max_length=80, unique=True)
    owner_territory_id: uuid.UUID | None = Field(default=None, index=True)
    title: str = Field(sa_column=Column(Text, nullable=False))
    provider: str = Field(max_length=300)
    hours: int = Field(gt=0)
    competences: list[str] = Field(sa_column=Column(ARRAY(Text), nullable=False))
    format: str | None = Field(default=None, max_length=100)
    active: bool = True


class IndividualRoute(SQLModel, table=True):
    """A teacher's individual development route (ИОМ) for a period: personal data, stored when
    someone allowed to read the diagnostic results builds the PD order."""

    __tablename__ = "individual_route"
    __table_args__ = (
        UniqueConstraint("staff_id", "period", name="uq_individual_route_staff_period"),
        {"schema": "reports"},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    staff_id: uuid.UUID
    full_name: str = Field(max_length=300)
    organization_id: uuid.UUID = Field(index=True)
    territory_id: uuid.UUID
    period: str = Field(max_length=20)
    deficits: list[dict[str, Any]] = Field(sa_column=Column(JSONB, nullable=False))
    steps: list[dict[str, Any]] = Field(sa_column=Column(JSONB, nullable=False))
    built_at: datetime = timestamp_column(onupdate=True)
