"""A procedure's task specification for one year, subject and grade (versioned), its tasks,
and the participants' results by task that a school's summary result is derived from."""

import uuid
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    Index,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from services.api.assessments.models import subject_reference
from shared.db import BulkEntity, Entity

LEVELS = ("basic", "advanced", "high")
# A school's result: one per organization, procedure, year, subject and grade.
RESULT_KEY = ("organization_id", "procedure_id", "year", "subject", "grade")


class AssessmentSpecification(Entity, table=True):
    """What a procedure's work held in one year, subject and grade: its tasks and the mark
    scale. Posting a different specification for the same key makes a new version; the
    participants keep the version they were checked against."""

    __tablename__ = "assessment_specification"
    __table_args__ = (
        UniqueConstraint(
            "procedure_id", "year", "subject", "grade", "version", name="uq_assessment_spec_key"
        ),
        subject_reference("assessment_specification"),
        CheckConstraint("version >= 1", name="version"),
        {"schema": "api"},
    )

    procedure_id: uuid.UUID
    year: str = Field(max_length=20)
    subject: str = Field(max_length=100)
    grade: int
    version: int = 1
    # [{"mark": 2, "min_score": 0}, …] by mark; empty: the scale is not known
    mark_scale: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONB, nullable=False)
    )
    source: str | None = Field(default=None, sa_column=Column(Text))  # the documents it is from


class AssessmentTask(SQLModel, table=True):
    """One task of a specification, numbered as printed ("1", "3.1")."""

    __tablename__ = "assessment_task"
    __table_args__ = (
        CheckConstraint("max_score > 0", name="max_score"),
        CheckConstraint("level IN ('basic', 'advanced', 'high')", name="level"),
        {"schema": "api"},
    )

    specification_id: uuid.UUID = Field(
        foreign_key="api.assessment_specification.id", ondelete="CASCADE", primary_key=True
    )
    number: str = Field(max_length=20, primary_key=True)
    position: int  # the order of the printed work
    max_score: int
    level: str | None = Field(default=None, max_length=20)  # None: the source does not say
    skill: str | None = Field(default=None, sa_column=Column(Text))


class AssessmentParticipant(BulkEntity, table=True):
    """One participant's scores by task, under a pseudonymous code (never a name)."""

    __tablename__ = "assessment_participant"
    __table_args__ = (
        UniqueConstraint(*RESULT_KEY, "code", name="uq_assessment_participant_key"),
        Index("ix_assessment_participant_specification_id", "specification_id"),
        CheckConstraint("total_score >= 0", name="total_score"),
        CheckConstraint("mark IS NULL OR mark BETWEEN 2 AND 5", name="mark"),
        CheckConstraint("journal_mark IS NULL OR journal_mark BETWEEN 2 AND 5", name="journal"),
        {"schema": "api"},
    )
    __audit__ = False  # written in bulk with SQL, which records its own audit events

    organization_id: uuid.UUID = Field(foreign_key="api.organization.id", ondelete="RESTRICT")
    specification_id: uuid.UUID = Field(
        foreign_key="api.assessment_specification.id", ondelete="RESTRICT"
    )
    procedure_id: uuid.UUID
    year: str = Field(max_length=20)
    subject: str = Field(max_length=100)
    grade: int
    code: str = Field(max_length=40)
    class_label: str | None = Field(default=None, max_length=10)
    variant: int | None = None
    task_scores: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    total_score: int
    mark: int | None = None  # by the specification's scale; None when it has none
    journal_mark: int | None = None
    source: str | None = Field(default=None, max_length=140)
