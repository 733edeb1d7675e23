"""Indicator values over the API."""

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from shared.indicator_methods import Unit

Status = Literal["achieved", "not_achieved", "insufficient_data", "no_data", "no_target"]


class TargetRead(BaseModel):
    op: str
    value: float


class MissingInput(BaseModel):
    peer: str = Field(description="The service that did not answer: api or surveys")
    input: str
    detail: str | None = None


class IndicatorValueRead(BaseModel):
    indicator_code: str
    indicator_name: str = Field(description="The indicator's name")
    unit: Unit = Field(
        description="percent: 0–100; boolean: yes/no (1/0) for an organization, and the share "
        "of organizations with yes (percent) for a cluster or territory"
    )
    scope_type: Literal["organization", "cluster", "territory"]
    scope_id: uuid.UUID
    period: str
    value: float | None
    numerator: float | None
    denominator: float | None
    n: int | None = Field(description="Organizations, respondents or participants")
    target: TargetRead | None
    status: Status = Field(
        description="achieved: the target is met; not_achieved: it is not; insufficient_data: "
        "less data than min_n, or a percent outside 0–100 (`reason` out_of_range); no_data: "
        "no data; no_target: a value but no target"
    )
    previous_value: float | None
    change: float | None
    coverage: dict[str, Any] | None = Field(
        description="organizations, organizations_reporting, organizations_share "
        "or respondents, expected (null when one school's is unknown: "
        "shared/expected_respondents.py), expected_unknown (Russian: why), response_rate, "
        "withheld (why some groups' totals are "
        "hidden: campaign_open: the survey is still running, minimum: below the disclosure "
        "minimum, difference: hidden so that a difference with others does not reveal a "
        "small group)"
    )
    missing: list[str] = Field(description="Services without whose data the value was not computed")
    approved: bool | None = Field(
        default=None,
        description="Whether the posted data values the item rests on are approved by their "
        "data collection (at the organization's municipality or above): true when every "
        "organization behind it has its data approved, false when one has not; null when it "
        "rests on no posted data value (surveys, assessment results) or has no value. A formula "
        "inherits it: true when every value it reads that rests on posted data is approved",
    )
    approved_organizations: int | None = Field(
        default=None,
        description="How many of the organizations behind the value (coverage."
        "organizations_reporting) have their data approved; 1 or 0 for an organization; null "
        "as for `approved`, and for a formula's cluster or territory value",
    )
    flagged: bool | None = Field(
        default=None,
        description="Whether a flagged data value went into the item: one an outlier check "
        'flags now, or one a broken validation rule reads (README, "Data quality"). An '
        "organization's own value: true when it is flagged (shown either way); a cluster's or "
        "territory's: true when one of its organizations' flagged values is counted (with "
        "SOKO_FLAGGED_VALUES=skip none is, and `flagged_left_out` says how many were left "
        "out). A formula: true when a flagged value went into a value it reads. Null when the "
        "item rests on no posted data value or has no value",
    )
    flagged_organizations: int | None = Field(
        default=None,
        description="How many of the organizations behind the value had a flagged value "
        "counted in it; 1 or 0 for an organization; null as for `flagged`, and for a formula's "
        "cluster or territory value",
    )
    flagged_left_out: int | None = Field(
        default=None,
        description="How many flagged values were left out of the value "
        "(SOKO_FLAGGED_VALUES=skip, a cluster's or territory's value; 0 with mark); null when "
        "the item rests on no posted data value",
    )

    reason: (
        Literal[
            "unknown_instrument",
            "unknown_question",
            "unknown_competence",
            "zero_denominator",
            "out_of_range",
        ]
        | None
    ) = Field(
        default=None,
        description="Why there is no value, when the definition names what does not exist: "
        "unknown_instrument (no instrument with params.instrument_code), unknown_question "
        "(none of params.question_codes in any version of it), unknown_competence (none of "
        "params.competences); for a formula or share of organizations, of an indicator it "
        "is computed from; zero_denominator: a formula whose parts are known and whose "
        "denominator is 0 (`numerator` and `denominator` said); out_of_range: a percent "
        "outside 0–100 (its value said, `flagged` true, `status` insufficient_data: counts "
        "that contradict each other meet no target). Null otherwise (also for "
        "values kept before it was said)",
    )
    reason_text: str | None = Field(
        default=None,
        description="The reason in Russian, as pages and documents show it: "
        "`знаменатель равен нулю (числитель 0): значение не определено`, "
        "`инструмент «parents_satisfactoin» не найден`, `вопрос «q9» не найден в инструменте "
        "«x»`, followed by ` (показатель «code»)` when it is another indicator's; for a "
        "survey value `insufficient_data` because its campaign is still open "
        "(`coverage.withheld` holds `campaign_open`): `анкетирование ещё идёт: результаты "
        "будут показаны после закрытия кампании`; for a deficit share withheld from a reader "
        "who may not read teachers' personal results because fewer than two teachers have "
        "the deficit or fewer than two do not (`coverage.withheld` holds "
        "`individual_results`): `скрыто: по этой доле можно узнать результаты отдельных "
        "педагогов`",
    )


class IndicatorValuePage(BaseModel):
    items: list[IndicatorValueRead]
    total: int
    missing_inputs: list[MissingInput]
    computed_at: datetime = Field(description="When the values were computed")
    as_of: datetime | None = Field(
        description="Every change of the data up to this moment is applied (UTC); empty until "
        "data has arrived"
    )
    lag_seconds: float | None = Field(
        description="How far the values lag behind now, seconds (0: current)"
    )
