"""Roadmaps and activities over the API."""

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from shared.periods import PROGRAMME_PERIOD_DESCRIPTION, PeriodText
from shared.texts import FilledText, HumanText
from shared.validation import CLEARABLE, ReportedDate, UpdateSchema

Level = Literal["region", "municipality", "cluster", "organization"]
OwnerType = Literal["territory", "cluster", "organization"]
Status = Literal["planned", "in_progress", "done", "cancelled"]
PASSPORT_STEPS = (
    "goal",
    "tasks",
    "expected_result",
    "indicators",
    "monitoring",
    "analysis",
    "recommendations",
    "decisions",
    "effectiveness",
)


class Passport(BaseModel):
    """The roadmap passport: the steps of the management cycle, as the document words them."""

    model_config = ConfigDict(extra="forbid")

    goal: str | None = None
    tasks: str | None = None
    expected_result: str | None = None
    indicators: str | None = Field(default=None, description="Indicators and collection methods")
    monitoring: str | None = None
    analysis: str | None = None
    recommendations: str | None = Field(default=None, description="Targeted recommendations")
    decisions: str | None = Field(default=None, description="Management decisions")
    effectiveness: str | None = Field(default=None, description="Effectiveness assessment")


class EvidenceLink(BaseModel):
    title: FilledText = Field(max_length=300)
    url: HttpUrl


class ActivityCreate(BaseModel):
    number: str = Field(default="", max_length=40)
    title: FilledText = Field(max_length=5000)
    deadline_text: str = Field(default="", max_length=500)
    responsible: str = Field(default="", max_length=2000)
    expected_result: str = Field(default="", max_length=5000)
    evidence_description: str = Field(default="", max_length=5000)


class SectionCreate(BaseModel):
    title: str = Field(default="", max_length=2000)
    activities: list[ActivityCreate] = Field(default_factory=list, max_length=2000)


class RoadmapCreate(BaseModel):
    title: HumanText = Field(max_length=2000)
    level: Level
    owner_type: OwnerType
    owner_id: uuid.UUID
    period: PeriodText | None = Field(default=None, description=PROGRAMME_PERIOD_DESCRIPTION)
    passport: Passport = Field(default_factory=Passport)
    sections: list[SectionCreate] = Field(default_factory=list, max_length=200)


class RoadmapUpdate(UpdateSchema):
    title: HumanText | None = Field(default=None, max_length=2000)
    period: Annotated[PeriodText | None, CLEARABLE] = None
    passport: Passport | None = None


class ActivityUpdate(UpdateSchema):
    status: Status | None = None
    evidence: list[EvidenceLink] | None = Field(default=None, max_length=50)
    comment: Annotated[str | None, CLEARABLE] = Field(
        default=None, max_length=2000, description="A comment on the status change"
    )
    completed_on: Annotated[ReportedDate | None, CLEARABLE] = Field(
        default=None, description="The completion date; today by default when the status is done"
    )


class ActivityRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    roadmap_id: uuid.UUID
    section_id: uuid.UUID | None
    position: int
    number: str
    title: str
    deadline_text: str
    deadline_kind: str
    due_start: date | None
    due_end: date | None
    recurrence: str | None
    recurrence_detail: str | None
    responsible: str
    responsible_organization_ids: list[uuid.UUID]
    responsible_staff_ids: list[uuid.UUID]
    expected_result: str
    evidence_description: str
    evidence: list[dict[str, Any]]
    status: Status
    completed_on: date | None
    overdue: bool = False


class SectionRead(BaseModel):
    id: uuid.UUID
    position: int
    title: str
    activities: list[ActivityRead]


class RoadmapRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    title: str
    level: Level
    owner_type: OwnerType
    owner_id: uuid.UUID
    period: str | None
    period_start: date | None
    period_end: date | None
    passport: dict[str, Any]
    source: str | None
    created_at: datetime
    updated_at: datetime


class RoadmapDetail(RoadmapRead):
    sections: list[SectionRead]


class Progress(BaseModel):
    """Execution figures; shares are percents (0–100) of the activities not cancelled."""

    total: int
    planned: int
    in_progress: int
    done: int
    cancelled: int
    done_on_time: int
    overdue: int
    due_soon: int
    done_share: float | None
    done_on_time_share: float | None
    overdue_share: float | None


class SectionProgress(Progress):
    section_id: uuid.UUID | None
    title: str


class RoadmapProgress(BaseModel):
    roadmap_id: uuid.UUID
    as_of: date
    due_soon_days: int
    overall: Progress
    sections: list[SectionProgress]


class StatusChangeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    from_status: str | None
    to_status: str
    changed_at: datetime
    changed_by: str | None
    comment: str | None


class FileRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    activity_id: uuid.UUID
    file_name: str
    content_type: str
    size: int
    sha256: str
    created_at: datetime


class ImportAnswer(BaseModel):
    roadmap: RoadmapDetail
    roadmaps: list[RoadmapRead]
    report: dict[str, Any]
    dry_run: bool = Field(
        default=False, description="True: what the import would create; nothing was stored"
    )


class ActivityFilters(BaseModel):
    """The query of an activity list (`Annotated[ActivityFilters, Query()]`)."""

    status: Status | None = None
    overdue: bool | None = None
    responsible_organization_id: uuid.UUID | None = None
    section_id: uuid.UUID | None = None
    due_from: ReportedDate | None = None
    due_to: ReportedDate | None = None
    due_within_days: int | None = Query(default=None, ge=0, le=366)
    as_of: ReportedDate | None = None
