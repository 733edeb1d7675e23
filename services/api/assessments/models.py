"""The catalogue of assessment procedures, the assessment calendar, and assessment results."""

import uuid
from datetime import date
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    Float,
    ForeignKeyConstraint,
    Index,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

from shared.db import BulkEntity, Entity

PROCEDURE_KINDS = ("federal", "international", "regional", "municipal")


def subject_reference(table: str) -> ForeignKeyConstraint:
    """An event or a result names a (procedure, subject, grade) that the catalogue has."""
    return ForeignKeyConstraint(
        ["procedure_id", "subject", "grade"],
        [
            "api.assessment_subject.procedure_id",
            "api.assessment_subject.subject",
            "api.assessment_subject.grade",
        ],
        name=f"fk_{table}_subject_assessment_subject",
        ondelete="RESTRICT",
    )


class AssessmentProcedure(Entity, table=True):
    """ВПР, ОГЭ, ЕГЭ, НИКО, international studies, regional and municipal diagnostics."""

    __tablename__ = "assessment_procedure"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('federal', 'international', 'regional', 'municipal')", name="kind"
        ),
        {"schema": "api"},
    )

    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=300)
    kind: str = Field(max_length=20)
    has_marks: bool = Field(default=False)  # gives marks 2–5 (ВПР, ОГЭ), or only scores (ЕГЭ)


class AssessmentSubject(Entity, table=True):
    """A subject of a procedure in one grade, with the maximum primary score of its work."""

    __tablename__ = "assessment_subject"
    __table_args__ = (
        UniqueConstraint("procedure_id", "subject", "grade", name="uq_assessment_subject_key"),
        CheckConstraint("grade BETWEEN 1 AND 11", name="grade"),
        CheckConstraint("max_primary_score > 0", name="max_primary_score"),
        {"schema": "api"},
    )

    procedure_id: uuid.UUID = Field(foreign_key="api.assessment_procedure.id", ondelete="CASCADE")
    subject: str = Field(max_length=100)
    grade: int
    max_primary_score: int


class AssessmentEvent(Entity, table=True):
    """One planned assessment in a school: a procedure's subject in a grade or one class."""

    __tablename__ = "assessment_event"
    __table_args__ = (
        # Leads with (organization_id, event_date): the index the conflict self-join uses.
        UniqueConstraint(
            "organization_id",
            "event_date",
            "grade",
            "class_label",
            "procedure_id",
            "subject",
            name="uq_assessment_event_key",
            postgresql_nulls_not_distinct=True,
        ),
        subject_reference("assessment_event"),
        CheckConstraint("grade BETWEEN 1 AND 11", name="grade"),
        {"schema": "api"},
    )

    organization_id: uuid.UUID = Field(foreign_key="api.organization.id", ondelete="RESTRICT")
    procedure_id: uuid.UUID
    subject: str = Field(max_length=100)
    grade: int
    class_label: str | None = Field(default=None, max_length=10)  # "5А"; none: the whole grade
    event_date: date
    note: str | None = Field(default=None, sa_column=Column(Text))


class AssessmentResult(BulkEntity, table=True):
    """What one school's students got in one procedure, year, subject and grade."""

    __tablename__ = "assessment_result"
    __table_args__ = (
        UniqueConstraint(
            "organization_id",
            "procedure_id",
            "year",
            "subject",
            "grade",
            name="uq_assessment_result_key",
        ),
        subject_reference("assessment_result"),
        Index("ix_assessment_result_procedure_year", "procedure_id", "year"),
        Index("ix_assessment_result_updated_at", "updated_at"),
        CheckConstraint("participants >= 0", name="participants"),
        {"schema": "api"},
    )
    __audit__ = False  # written in bulk with SQL, which records its own audit events

    organization_id: uuid.UUID = Field(foreign_key="api.organization.id", ondelete="RESTRICT")
    procedure_id: uuid.UUID
    year: str = Field(max_length=20)  # academic year 2021/2022 or calendar year 2022
    subject: str = Field(max_length=100)
    grade: int
    participants: int
    mark_2: int | None = None
    mark_3: int | None = None
    mark_4: int | None = None
    mark_5: int | None = None
    # {primary score: how many participants got it}, keys as JSON strings
    score_distribution: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB))
    mean_score: float | None = Field(default=None, sa_column=Column(Float))
    # Journal marks against the procedure's marks: how many were lowered, confirmed, raised.
    lowered: int | None = None
    confirmed: int | None = None
    raised: int | None = None
    # Derived from the school's participants only (NULL for a result posted as a summary): the
    # specification they were checked against and {task number: Σ that task's scores}.
    specification_id: uuid.UUID | None = Field(
        default=None, foreign_key="api.assessment_specification.id", ondelete="SET NULL"
    )
    task_scores: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB))
    source: str | None = Field(default=None, max_length=140)  # api_key:<id> or user:<id>
