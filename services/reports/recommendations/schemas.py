"""Recommendation rules, recommendations and decisions over the API."""

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.periods import PeriodBody
from shared.validation import ReportedDate, UpdateSchema

Addressee = Literal["organization_leader", "teacher", "pd_centre", "authority"]
Status = Literal["new", "accepted", "in_progress", "done", "rejected"]
ConditionName = Literal[
    "indicator_not_achieved",
    "indicator_below",
    "indicator_falling",
    "competence_deficit_shared",
    "teacher_deficit",
    "low_response_rate",
    "objectivity_risk",
    "low_results_school",
    "resilient_school",
    "task_deficit",
    "low_reporting",
    "data_quality",
]


class Action(BaseModel):
    model_config = ConfigDict(extra="allow")

    kind: Literal["pd_programme", "mentor", "seminar", "monitoring_visit", "other"]
    text: str = Field(max_length=2000)


class RuleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=80, pattern=r"^[a-z0-9_]+$")
    owner_territory_id: uuid.UUID | None = Field(
        default=None,
        description=(
            "The territory whose rule this is (it applies there and below); null: a global "
            "rule (administrators only). An analyst's territory by default"
        ),
    )
    title: str = Field(min_length=1, max_length=500)
    condition: ConditionName
    params: dict[str, Any] = Field(default_factory=dict)
    addressee_type: Addressee
    template: str = Field(
        min_length=1,
        max_length=5000,
        description="The text with placeholders in curly braces, e.g. {indicator}, {value}",
    )
    actions: list[Action] = Field(default_factory=list, max_length=20)
    active: bool = True


class RuleUpdate(UpdateSchema):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=1, max_length=500)
    params: dict[str, Any] | None = None
    addressee_type: Addressee | None = None
    template: str | None = Field(default=None, min_length=1, max_length=5000)
    actions: list[Action] | None = Field(default=None, max_length=20)
    active: bool | None = None


class RuleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    code: str
    owner_territory_id: uuid.UUID | None = Field(description="The owner; null: a global rule")
    title: str
    condition: str
    params: dict[str, Any]
    addressee_type: str
    template: str
    actions: list[dict[str, Any]]
    active: bool = Field(description="The rule's own switch (everywhere)")
    active_here: bool = Field(
        default=True,
        description=(
            "Whether the rule gives recommendations in the territory the answer is about (the "
            "request's `territory_id`, else the caller's own): it applies there, is active and "
            "is not switched off there or above"
        ),
    )
    switched_off_in: list[uuid.UUID] = Field(
        default_factory=list,
        description="The territories (those the caller sees) where it is switched off",
    )
    updated_at: datetime


class RuleTerritoryState(BaseModel):
    model_config = ConfigDict(extra="forbid")

    active: bool = Field(description="false: switch the rule off for the territory, true: back on")


class GenerateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    territory_id: uuid.UUID
    period: PeriodBody = Field(description="2021/2022, 2022, 2022Q3, 2022-09")


class GenerateResult(BaseModel):
    created: int
    updated: int
    unchanged: int
    total: int
    resolved: int = Field(
        default=0,
        description="Open recommendations of the territory and period whose condition no "
        "longer holds, marked `resolved_at` now (none when a peer's inputs were missing)",
    )
    by_addressee: dict[str, int]
    missing_inputs: list[dict[str, Any]]


class DecisionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=5000)
    decided_on: ReportedDate
    responsible: str = Field(min_length=1, max_length=300)


class DecisionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    recommendation_id: uuid.UUID
    text: str
    decided_on: date
    responsible: str
    indicator_code: str | None
    scope_type: str | None
    scope_id: uuid.UUID | None
    period_before: str
    value_before: float | None
    created_at: datetime


class Effect(BaseModel):
    """A decision's effect: the indicator's value before the decision (`before`, of its
    recommendation's period) against `after` (of `period`), judged only when the two values
    are comparable (services/reports/recommendations/comparability.py, as «falling two
    periods running» compares)."""

    period: str
    before: float | None
    after: float | None
    change: float | None = Field(
        description="after − before (percentages in points); null when not judged (`reason`)"
    )
    improved: bool | None = Field(
        description="Whether the change is for the better, given the indicator's direction; "
        "null when not judged (`reason`)"
    )
    comparable: bool | None = Field(
        default=None,
        description="Whether `before` and `after` may be compared: each made of at least 50 % "
        "of its group's organizations (`coverage_before`, `coverage_after`), a count (a sum "
        "over them) of as many in both; null when either value is missing",
    )
    reason: Literal["not_later", "no_value", "not_comparable"] | None = Field(
        default=None,
        description="Why the effect is not judged (`change` and `improved` null): `period` is "
        "not later than the decision's (`period_before`: its own value, or an earlier one; "
        "`after` null too), a value missing, or the two values not comparable; null when "
        "judged",
    )
    reason_text: str | None = Field(
        default=None,
        description="`not_later` and `not_comparable` in Russian, for people: «2023/2024 — не "
        "позже периода решения (2024/2025), его эффект виден только в более поздних "
        "периодах»; «значения несопоставимы: за 2021/2022 — по 1 из 3 организаций, за "
        "2022/2023 — по 3 из 3 (сравниваются значения не менее чем по 50 % организаций "
        "группы)»",
    )
    coverage_before: dict[str, int] | None = Field(
        default=None,
        description="The organizations `before` was made of, kept with the decision: "
        "{organizations_reporting, organizations}; null when it counts none (a school's own "
        "survey figure); for a decision taken before they were kept, the period's as now",
    )
    coverage_after: dict[str, int] | None = Field(
        default=None,
        description="The organizations `after` is made of: {organizations_reporting, "
        "organizations}; null when it counts none",
    )
    status_after: str | None
    flagged: bool | None = Field(
        default=None,
        description="Whether a flagged data value went into `after` (the indicator value's "
        "`flagged`; null: it rests on no posted data value)",
    )
    flagged_organizations: int | None = Field(
        default=None, description="The indicator value's `flagged_organizations` of `after`"
    )
    flagged_left_out: int | None = Field(
        default=None, description="The indicator value's `flagged_left_out` of `after`"
    )


class DecisionWithEffect(DecisionRead):
    recommendation_text: str
    effect: Effect | None


class RecommendationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    rule_code: str
    period: str
    addressee_type: str
    addressee_id: uuid.UUID
    organization_id: uuid.UUID | None
    territory_id: uuid.UUID
    subject: str
    indicator_code: str | None
    text: str
    actions: list[dict[str, Any]]
    evidence: dict[str, Any]
    status: Status
    history: list[dict[str, Any]]
    resolved_at: datetime | None = Field(
        default=None,
        description="When a later generation found its condition no longer holding (the "
        "values fixed, the data reported, the target reached); null while it holds. Its status, "
        "history and decisions stay; it leaves the active list until the condition holds again",
    )
    decisions: list[DecisionRead] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime


class StatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Status
    comment: str | None = Field(default=None, max_length=2000)
    from_status: Status | None = Field(
        default=None,
        description="The status the caller last saw: the move is refused (409, "
        "`current_status` in the answer, nothing changed) when it is no longer the "
        "recommendation's status, so that a stale page or client never undoes someone "
        "else's move. Omitted: the move applies to whatever status is current.",
    )
