"""The answers of /v1/analysis/… (named as the OpenAPI components clients rely on)."""

import uuid
from typing import Any, Literal

from pydantic import BaseModel, Field

# ---- low-results schools, social context, resilient schools (analysis/low_results.py,
# context.py, resilient.py) ------------------------------------------------------------------

ContextGroup = Literal["unfavourable", "middle", "favourable"]


class LowResultsPaper(BaseModel):
    """A paper of a year in which the school is in the territory's lowest group."""

    procedure: str = Field(description="Procedure code: vpr, oge, ege, ...")
    subject: str
    grade: int
    year: str
    criterion: Literal["mark_2_share", "bottom_share"] = Field(
        description="mark_2_share: the share of mark 2 is above the threshold; bottom_share: "
        "the mean completion is at or below the territory's percentile"
    )
    value: float = Field(description="The share of mark 2 or the mean completion, percent 0–100")
    threshold: float = Field(
        description="The threshold (share of mark 2) or the territory's percentile, percent 0–100"
    )


class LowResultsItem(BaseModel):
    organization_id: uuid.UUID
    years: list[str] = Field(
        description="The consecutive years, in each of which the school is in the lowest group"
    )
    procedures: list[LowResultsPaper]


class LowResultsRead(BaseModel):
    """Low-results schools (ШНОР) of a territory in a year."""

    territory_id: uuid.UUID
    year: str
    items: list[LowResultsItem]
    notes: list[str]
    thresholds: dict[str, float]


class ContextComponentValue(BaseModel):
    value: float | None = Field(
        description="The value: percent 0–100, or 1/0 for a yes/no component"
    )
    standardised: float | None = Field(
        description="The z-score among the territory's schools (before the component's direction "
        "is applied)"
    )


class ContextItem(BaseModel):
    organization_id: uuid.UUID
    index: float | None = Field(
        description="The social well-being index (ИСБШ), in standard deviations"
    )
    group: ContextGroup | None = Field(
        description="unfavourable: a school in adverse social conditions (ШНСУ)"
    )
    components: dict[str, ContextComponentValue]
    missing: list[str] = Field(description="Components the school lacks: then it has no index")


class ContextComponent(BaseModel):
    code: str
    name: str
    weight: float
    direction: Literal["favourable", "unfavourable"]


class ContextRead(BaseModel):
    """The social context index of a territory's schools and its groups."""

    territory_id: uuid.UUID
    year: str | None = None
    items: list[ContextItem]
    components: list[ContextComponent]
    notes: list[str]
    thresholds: dict[str, float]


class ResilientItem(BaseModel):
    organization_id: uuid.UUID
    index: float
    result: float = Field(description="The mean completion of the year's papers, percent 0–100")
    residual: float | None = Field(
        description="The result minus the regression line on the index, percentage points"
    )
    group: ContextGroup | None
    resilient: bool


class ResilientRead(BaseModel):
    """Resilient schools of a territory in a year."""

    territory_id: uuid.UUID
    year: str
    items: list[ResilientItem]
    notes: list[str]
    thresholds: dict[str, float]


# ---- end of low-results, context, resilient ------------------------------------------------


# ---- objectivity signs and task completion (analysis/objectivity.py, analysis/tasks.py) ----

SignCode = Literal[
    "boundary_spike", "inverted_profile", "not_confirmed_by_gia", "journal_mismatch", "sudden_rise"
]


class ObjectivitySign(BaseModel):
    code: SignCode
    evidence: dict[str, Any] = Field(
        description=(
            "What the sign shows: boundary_spike {score, mark, count_at, count_below, "
            "count_above}; inverted_profile {basic, advanced, high (%), correlation}; "
            "not_confirmed_by_gia {vpr_quality, vpr_rank, exam, exam_year, exam_subject, "
            "exam_quality, exam_rank}; journal_mismatch {lowered, confirmed, raised, share}; "
            "sudden_rise {completion, previous_completion, rise, territory_rise}"
        )
    )


class ObjectivityItem(BaseModel):
    organization_id: uuid.UUID
    procedure: str = Field(description="Procedure code: vpr, oge, ...")
    subject: str
    grade: int
    year: str
    participants: int | None
    signs: list[ObjectivitySign]
    risk: Literal["none", "low", "high"] = Field(description="From the number of signs")


class ObjectivityRead(BaseModel):
    territory_id: uuid.UUID
    year: str
    items: list[ObjectivityItem]
    total: int = Field(description="How many items there are in all (the page is `items`)")
    notes: list[str]
    thresholds: dict[str, float]


class TaskCompletion(BaseModel):
    number: str = Field(
        description="The task number as printed: «1», «3.1», «1К1» (criterion 1 of task 1)"
    )
    level: str | None = Field(description="basic, advanced, high")
    skill: str | None
    max_score: int
    completion: float = Field(description="Completion in the school, percent 0–100")
    territory_completion: float = Field(
        description="Completion in the territory (pooled), percent 0–100"
    )


class TaskProfile(BaseModel):
    organization_id: uuid.UUID
    procedure: str
    subject: str
    grade: int
    year: str
    participants: int
    specification_id: uuid.UUID
    tasks: list[TaskCompletion]


class TaskCompletionRead(BaseModel):
    territory_id: uuid.UUID
    year: str
    items: list[TaskProfile]
    total: int = Field(description="How many items there are in all (the page is `items`)")
    notes: list[str]
    thresholds: dict[str, float]


# ---- end of objectivity signs and task completion ----
