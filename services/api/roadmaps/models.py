"""Roadmaps (дорожные карты): passport, sections, activities, their status history and files."""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Identity,
    Index,
    LargeBinary,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from shared.db import Entity, timestamp_column, uuid_list_column

LEVELS = ("region", "municipality", "cluster", "organization")
STATUSES = ("planned", "in_progress", "done", "cancelled")


class Roadmap(Entity, table=True):
    __tablename__ = "roadmap"
    __table_args__ = (
        CheckConstraint(
            "level IN ('region', 'municipality', 'cluster', 'organization')", name="level"
        ),
        CheckConstraint(
            "owner_type IN ('territory', 'cluster', 'organization')", name="owner_type"
        ),
        Index("ix_roadmap_owner", "owner_type", "owner_id"),
        {"schema": "api"},
    )

    title: str = Field(sa_column=Column(Text, nullable=False))
    level: str = Field(max_length=20)
    owner_type: str = Field(max_length=20)
    owner_id: uuid.UUID
    period: str | None = Field(default=None, max_length=20)
    period_start: date | None = None
    period_end: date | None = None
    # The eight steps of the management cycle: goal, tasks, expected_result, indicators, ...
    passport: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSONB, nullable=False, server_default="{}")
    )
    source: str | None = Field(default=None, max_length=300)
    created_by: uuid.UUID | None = None


class RoadmapSection(SQLModel, table=True):
    __tablename__ = "roadmap_section"
    __table_args__ = {"schema": "api"}
    __audit__ = False  # created and dropped with its roadmap, which is audited

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    roadmap_id: uuid.UUID = Field(foreign_key="api.roadmap.id", index=True, ondelete="CASCADE")
    position: int
    title: str = Field(sa_column=Column(Text, nullable=False))


class Activity(Entity, table=True):
    __tablename__ = "activity"
    __table_args__ = (
        CheckConstraint("status IN ('planned', 'in_progress', 'done', 'cancelled')", name="status"),
        Index("ix_activity_roadmap_position", "roadmap_id", "position"),
        Index(
            "ix_activity_responsible_organizations",
            "responsible_organization_ids",
            postgresql_using="gin",
        ),
        {"schema": "api"},
    )

    roadmap_id: uuid.UUID = Field(foreign_key="api.roadmap.id", ondelete="CASCADE")
    section_id: uuid.UUID | None = Field(
        default=None, foreign_key="api.roadmap_section.id", index=True, ondelete="CASCADE"
    )
    position: int
    number: str = Field(default="", max_length=40)
    title: str = Field(sa_column=Column(Text, nullable=False))
    deadline_text: str = Field(
        default="", sa_column=Column(Text, nullable=False, server_default="")
    )
    deadline_kind: str = Field(default="none", max_length=20)
    due_start: date | None = None
    due_end: date | None = Field(default=None, index=True)
    recurrence: str | None = Field(default=None, max_length=20)
    recurrence_detail: str | None = Field(default=None, max_length=200)
    responsible: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    responsible_organization_ids: list[uuid.UUID] = uuid_list_column()
    responsible_staff_ids: list[uuid.UUID] = uuid_list_column()
    expected_result: str = Field(
        default="", sa_column=Column(Text, nullable=False, server_default="")
    )
    # What the roadmap asks for as proof ("материалы, подтверждающие выполнение").
    evidence_description: str = Field(
        default="", sa_column=Column(Text, nullable=False, server_default="")
    )
    # Links to materials that confirm the activity was done: [{"title", "url"}].
    evidence: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONB, nullable=False, server_default="[]")
    )
    status: str = Field(default="planned", max_length=20)
    completed_on: date | None = None


class ActivityStatusChange(SQLModel, table=True):
    __tablename__ = "activity_status_change"
    __table_args__ = {"schema": "api"}
    __audit__ = False  # it is itself a history

    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(), primary_key=True))
    activity_id: uuid.UUID = Field(foreign_key="api.activity.id", index=True, ondelete="CASCADE")
    from_status: str | None = Field(default=None, max_length=20)
    to_status: str = Field(max_length=20)
    changed_at: datetime = timestamp_column()
    changed_by: str | None = Field(default=None, max_length=100)
    comment: str | None = Field(default=None, sa_column=Column(Text))


class ActivityFile(Entity, table=True):
    """A file uploaded as evidence; kept in the database (evidence files are small documents)."""

    __tablename__ = "activity_file"
    __table_args__ = {"schema": "api"}
    __audit_exclude__ = frozenset({"content"})

    activity_id: uuid.UUID = Field(foreign_key="api.activity.id", index=True, ondelete="CASCADE")
    file_name: str = Field(max_length=300)
    content_type: str = Field(max_length=200)
    size: int
    sha256: str = Field(max_length=64)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    uploaded_by: str | None = Field(default=None, max_length=100)
