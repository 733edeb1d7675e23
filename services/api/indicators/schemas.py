"""Indicators over the API."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from services.api.organizations.schemas import OrganizationKind
from shared.indicator_methods import ORGANIZATION_KINDS, Code, Method, Op, Unit
from shared.periods import PeriodText
from shared.texts import HumanText
from shared.validation import CLEARABLE, Measure, UpdateSchema


def in_kind_order(kinds: list[str]) -> list[str]:
    """Each kind once, in the order of ORGANIZATION_KINDS."""
    return [k for k in ORGANIZATION_KINDS if k in kinds]


AppliesTo = Annotated[
    list[OrganizationKind],
    Field(
        min_length=1,
        max_length=20,
        description=(
            "The kinds of organization the indicator is for (school, kindergarten, "
            "additional, college); organizations of other kinds are left out of its values"
        ),
    ),
    AfterValidator(in_kind_order),
]


class TargetRead(BaseModel):
    """A target as stored (one written before targets were bounded is shown as it is)."""

    op: Op
    value: float


class ScopedTargetRead(TargetRead):
    """A target for a period (`2021/2022`) and/or a scope; the most specific one applies."""

    period: str | None = None
    scope_type: Literal["organization", "cluster", "territory"] | None = None
    scope_id: uuid.UUID | None = None


class Target(TargetRead):
    """A target as written: the value is finite, at most 10^15 in magnitude."""

    value: Measure


class ScopedTarget(ScopedTargetRead):
    """A target for a period (`2021/2022`) and/or a scope; the most specific one applies.
    The value is finite, at most 10^15 in magnitude."""

    value: Measure
    period: PeriodText | None = None


class IndicatorCreate(BaseModel):
    code: Code
    owner_territory_id: uuid.UUID | None = Field(
        default=None,
        description=(
            "Whose indicator this is: a territory (its own) or null (the common catalogue, "
            "administrators only). An analyst's territory by default"
        ),
    )
    name: HumanText = Field(max_length=1000)
    description: str | None = Field(default=None, max_length=5000)
    unit: Unit
    direction: Literal["higher", "lower"] = "higher"
    level: Literal["organization", "cluster", "territory"]
    method: Method
    params: dict[str, Any] = Field(default_factory=dict)
    target: Target | None = None
    targets: list[ScopedTarget] = Field(default_factory=list, max_length=500)
    collection_method: str | None = Field(default=None, max_length=5000)
    min_n: int = Field(default=1, ge=1, le=100000)
    applies_to: AppliesTo = Field(default_factory=lambda: list(ORGANIZATION_KINDS))
    roadmap_ids: list[uuid.UUID] = Field(default_factory=list, max_length=100)


class IndicatorUpdate(UpdateSchema):
    """Only the fields sent change. The definition (every field but `targets` and
    `roadmap_ids`) is its owner's: a field sent unchanged is no change. `targets` and
    `roadmap_ids` are each caller's own part (see their descriptions)."""

    name: HumanText | None = Field(default=None, max_length=1000)
    description: Annotated[str | None, CLEARABLE] = Field(default=None, max_length=5000)
    unit: Unit | None = None
    direction: Literal["higher", "lower"] | None = None
    level: Literal["organization", "cluster", "territory"] | None = None
    method: Method | None = None
    params: dict[str, Any] | None = None
    target: Annotated[Target | None, CLEARABLE] = None
    targets: list[ScopedTarget] | None = Field(
        default=None,
        max_length=500,
        description=(
            "The caller's targets: they replace the targets the caller may change (in their "
            "scope); others' targets stay, and ones sent unchanged are skipped"
        ),
    )
    collection_method: Annotated[str | None, CLEARABLE] = Field(default=None, max_length=5000)
    min_n: int | None = Field(default=None, ge=1, le=100000)
    applies_to: AppliesTo | None = None
    roadmap_ids: list[uuid.UUID] | None = Field(
        default=None,
        max_length=100,
        description=(
            "Links to the caller's roadmaps: they replace the links to roadmaps the caller may "
            "change; links to others' roadmaps stay"
        ),
    )


class IndicatorRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    code: str
    owner_territory_id: uuid.UUID | None = Field(
        description="The owning territory; null: the common catalogue"
    )
    name: str
    description: str | None
    unit: str
    direction: str
    level: str
    method: str
    params: dict[str, Any]
    target: TargetRead | None
    targets: list[ScopedTargetRead]
    collection_method: str | None
    min_n: int
    applies_to: list[str] = Field(description="The kinds of organization the indicator is for")
    roadmap_ids: list[uuid.UUID]
    created_at: datetime
    updated_at: datetime


class IndicatorWritten(IndicatorRead):
    """The indicator as a create or a change left it, and what looks wrong in what was sent
    though it was accepted."""

    warnings: list[str] = Field(
        default_factory=list,
        description="Russian notes on what was sent: a percent target of at most 1 (0.9) looks "
        "like a share written as a fraction (90 %); an instrument, question or competence code "
        "the surveys service does not know, each starting with its field "
        "(`params.instrument_code: инструмент «x» не найден …`)",
    )
