"""Task specifications and participants' results over the API."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from services.api.assessments.schemas import Grade, ProcedureCode, SubjectName
from shared.periods import WRITTEN_PERIOD_MAX
from shared.school_years import YEAR_DESCRIPTION

Level = Literal["basic", "advanced", "high"]
ProcedureName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)
]
# A paper's year as people write it («2024–2025 учебный год» is 21), read by
# `shared.school_years.read_year`: its code is stored, never this.
WrittenYear = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=4, max_length=WRITTEN_PERIOD_MAX)
]


class TaskSpec(BaseModel):
    number: str = Field(
        min_length=1,
        max_length=20,
        description="The task number as printed: «1», «3.1», «1К1» (criterion 1 of task 1)",
    )
    max_score: int = Field(ge=1, le=100, description="The task's maximum score")
    level: Level | None = Field(
        default=None, description="The difficulty level; null: the source does not name it"
    )
    skill: str | None = Field(
        default=None, max_length=2000, description="The skill or content element the task checks"
    )


class MarkStep(BaseModel):
    mark: int = Field(ge=2, le=5)
    min_score: int = Field(
        ge=0, le=1000, description="The lowest primary score that gets this mark"
    )


class SpecificationCreate(BaseModel):
    procedure: ProcedureCode = Field(description="Procedure code: vpr, oge, ...")
    year: WrittenYear = Field(description=YEAR_DESCRIPTION + ", stored as its code")
    subject: SubjectName
    grade: Grade
    tasks: list[TaskSpec] = Field(min_length=1, max_length=200)
    mark_scale: list[MarkStep] = Field(
        max_length=4,
        description="Marks 2–5, each with its lowest score; empty: the scale is unknown "
        "(then participants' marks are not derived)",
    )
    source: str | None = Field(
        default=None, max_length=2000, description="The documents the specification is drawn from"
    )


class SpecificationRead(BaseModel):
    id: uuid.UUID
    procedure: str
    year: str
    subject: str
    grade: int
    version: int
    tasks: list[TaskSpec]
    mark_scale: list[MarkStep]
    max_score: int = Field(description="The sum of the tasks' maximum scores")
    source: str | None
    created_at: datetime


class ParticipantsHeader(BaseModel):
    """Whose participants: one school, procedure, year, subject and grade."""

    organization_id: uuid.UUID
    procedure: ProcedureName = Field(
        description="The procedure's code (vpr), or its name or abbreviation (ВПР), noted"
    )
    year: WrittenYear = Field(
        description="A school year 2025/2026 (also written 2025-2026, 2025/26, «2025-2026 "
        "учебный год», noted) or a calendar year 2026"
    )
    subject: SubjectName
    grade: Grade


class ParticipantsIn(ParticipantsHeader):
    """One school's participants in one procedure, year, subject and grade: the whole set
    (a re-post replaces it; with any participant rejected, nothing is replaced)."""

    participants: list[Any] = Field(
        min_length=1,
        max_length=2000,
        description='[{code, class_label, variant, task_scores: {"1": 1, …}, journal_mark}], '
        "up to 2000 per request",
    )


class ParticipantScores(BaseModel):
    """A participant as stored: the code, scores by task in printed order, the total and the
    mark it gets on the specification's scale (null without a scale)."""

    code: str
    class_label: str | None
    variant: int | None
    task_scores: dict[str, int]
    total_score: int
    mark: int | None
    journal_mark: int | None


class ParticipantRead(ParticipantScores):
    updated_at: datetime


class ParticipantList(BaseModel):
    items: list[ParticipantRead]
    total: int


class TaskCompletion(BaseModel):
    number: str
    level: Level | None
    max_score: int
    completion: float = Field(
        description="Σ scores / (maximum score × participants) × 100, percent 0–100"
    )
    territory_completion: float | None = Field(
        default=None,
        description="The same over all participants of the group's territory (`territory_id`); "
        "only in /task-completion",
    )
    region_completion: float | None = Field(
        default=None,
        description="The same over all participants of the region (`region_id`), if they were "
        "posted; only in /task-completion",
    )


class PaperRead(BaseModel):
    """The paper an aggregate over participants is of."""

    procedure: str
    year: str
    subject: str
    grade: int


class GroupedRead(PaperRead):
    """One group's participants under one specification version."""

    group_by: Literal["organization", "cluster", "territory"]
    group_id: uuid.UUID = Field(description="The organization, cluster or territory")
    specification_version: int
    participants: int


class CompletionRead(GroupedRead):
    """One group's completion of each task of one specification version, beside its
    territory's and its region's."""

    territory_id: uuid.UUID | None = Field(
        default=None,
        description="The group's territory: an organization's or a cluster's municipality, a "
        "territory itself",
    )
    region_id: uuid.UUID | None = Field(default=None, description="The region of that territory")
    tasks: list[TaskCompletion]


class ScoreCount(BaseModel):
    score: int = Field(description="The primary score")
    participants: int


class DistributionRead(GroupedRead):
    """One group's participants per primary score under one specification version, with that
    version's maximum and mark scale (so a peak at a mark's minimum score shows)."""

    max_score: int = Field(description="The sum of the tasks' maximum scores")
    mark_scale: list[MarkStep]
    scores: list[ScoreCount] = Field(description="The scores someone got, rising")


class ClassMarks(BaseModel):
    class_label: str | None = Field(description="The class, e.g. «5А»; null: not given")
    participants: int
    marks: dict[str, int] = Field(
        description='Participants by mark {"2": n, "3": n, "4": n, "5": n}; zeros without a scale'
    )
    lowered: int = Field(
        description="Participants whose mark for the paper is below their journal mark"
    )
    confirmed: int
    raised: int = Field(
        description="Participants whose mark for the paper is above their journal mark"
    )


class MarksByClassRead(PaperRead):
    """One organization's marks per class."""

    organization_id: uuid.UUID
    participants: int
    classes: list[ClassMarks]
