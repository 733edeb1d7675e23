"""What the api's pages read of the peers' answers: the fields they show (others ignored).

Shapes follow the peers' OpenAPI components of the same names (surveys: `MyInvitation`,
`CampaignRead`, `OrganizationRate`, `Pending`, `InstrumentCodes`; reports: `RecommendationRead`,
`IndividualRouteRead`, `PdOrderRead`). Percentages are 0–100.
"""

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

from shared.default_period import organizations_of


class Invitation(BaseModel):
    """One of the signed-in teacher's own personal links (surveys `MyInvitation`)."""

    campaign_id: uuid.UUID
    title: str
    opens_at: datetime
    closes_at: datetime
    status: str  # not_started, draft, submitted
    url: str


class Link(BaseModel):
    """An organization's anonymous link of a campaign (surveys `Link`): the form's URL."""

    organization_id: uuid.UUID
    url: str


class Campaign(BaseModel):
    id: uuid.UUID
    title: str
    instrument_code: str
    audience: str
    period: str
    opens_at: datetime
    closes_at: datetime
    anonymous: bool
    status: str  # scheduled, open, closed
    invitations: int
    links: list[Link] = []  # the anonymous links of the organizations the reader sees


class Instrument(BaseModel):
    """An instrument of the bank (surveys `InstrumentRead`): `kind` satisfaction, deficit or
    self_assessment; `audience` the audiences it is made for; `latest_version` from 1."""

    id: uuid.UUID
    code: str
    kind: str
    title: str
    audience: list[str]
    latest_version: int
    versions: list["InstrumentVersion"] = []  # newest first (the bank's list gives them)


class InstrumentVersion(BaseModel):
    """A stored (published) version of an instrument (surveys `VersionRead`)."""

    id: uuid.UUID
    version: int
    created_at: datetime


class InstrumentCodes(BaseModel):
    """An instrument's code and the question and competence codes of all its versions
    (surveys `InstrumentCodes`)."""

    code: str
    question_codes: list[str]
    competences: list[str]


class OrganizationRate(BaseModel):
    organization_id: uuid.UUID
    responses: int
    expected: int | None
    expected_unknown: str | None = None  # Russian: why `expected` is null (what to record)
    rate: float | None  # percent 0–100


class Pending(BaseModel):
    staff_id: uuid.UUID
    organization_id: uuid.UUID
    full_name: str
    status: str  # not_started, draft


class Decision(BaseModel):
    text: str
    decided_on: date
    responsible: str


class Recommendation(BaseModel):
    id: uuid.UUID
    period: str
    addressee_type: str
    organization_id: uuid.UUID | None
    subject: str
    indicator_code: str | None
    text: str
    actions: list[dict[str, Any]]
    status: str  # new, accepted, in_progress, done, rejected
    decisions: list[Decision]
    created_at: datetime


class Route(BaseModel):
    """A teacher's individual route: `deficits` by priority (`share` of the maximum score,
    percent 0–100), `steps` (a programme or a note, the competences it covers, a mentor)."""

    id: uuid.UUID
    staff_id: uuid.UUID
    full_name: str
    organization_id: uuid.UUID
    period: str
    deficits: list[dict[str, Any]]
    steps: list[dict[str, Any]]
    built_at: datetime


class OrderProgramme(BaseModel):
    code: str
    title: str
    provider: str
    hours: int
    seats: int


class OrderOrganization(BaseModel):
    organization_id: uuid.UUID | None
    name: str | None
    seats: int
    teachers: int


class OrderUncovered(BaseModel):
    competence: str
    title: str | None
    teachers: int


class PdOrder(BaseModel):
    territory_id: uuid.UUID
    period: str
    built_at: datetime | None
    suppressed: bool
    reason: str | None
    teachers: int | None
    seats: int | None
    programmes: list[OrderProgramme]
    organizations: list[OrderOrganization]
    uncovered: list[OrderUncovered]
    notes: list[str]


class Target(BaseModel):
    op: str  # >=, <=, >, <, ==
    value: float


class IndicatorValue(BaseModel):
    """One indicator's value for one scope and period (reports `IndicatorValueRead`): `value`,
    `previous_value` and `change` in the indicator's `unit` (percent 0–100; boolean: 1/0 for
    an organization, the share of organizations with yes in percent for a group), `status`
    one of achieved, not_achieved, insufficient_data, no_data, no_target; `flagged`,
    `flagged_organizations`, `flagged_left_out`: whether flagged data values went into it,
    from how many organizations, how many were left out (null: not said; README, "Flagged
    values")."""

    indicator_code: str
    indicator_name: str
    unit: str
    scope_type: str  # organization, cluster, territory
    scope_id: uuid.UUID
    period: str
    value: float | None
    target: Target | None
    status: str
    previous_value: float | None
    change: float | None
    flagged: bool | None = None
    flagged_organizations: int | None = None
    flagged_left_out: int | None = None
    # Why there is no value when the definition names a code that does not exist (Russian,
    # «инструмент «x» не найден»; null: not said).
    reason_text: str | None = None
    # How many of a group's organizations its value is made of (`organizations`,
    # `organizations_reporting`, …; null for an organization's own).
    coverage: dict[str, Any] | None = None

    @property
    def organizations(self) -> tuple[int, int] | None:
        """(organizations the value is made of, organizations of its group), or None when
        its coverage counts no organizations (`shared.default_period.organizations_of`)."""
        return organizations_of(self.coverage)

    @property
    def partial(self) -> bool:
        """A group's value made of some of its organizations only («по 1 из 28 орг.»)."""
        counted = self.organizations
        return self.value is not None and counted is not None and 0 < counted[1] > counted[0]


class Effect(BaseModel):
    """A decision's effect as the reports service computes it: the indicator's value before
    (the decision's period) and `after` (in `period`), `improved` given its direction; not
    judged (`change`, `improved` null) when a value is missing or the two are not comparable
    (`reason`, and `reason_text` in Russian to show)."""

    period: str
    before: float | None
    after: float | None
    change: float | None
    improved: bool | None
    comparable: bool | None = None
    reason: str | None = None  # "no_value", "not_comparable"
    reason_text: str | None = None
    status_after: str | None
    # `after`'s flags, as an indicator value says them (README, "Flagged values").
    flagged: bool | None = None
    flagged_organizations: int | None = None
    flagged_left_out: int | None = None


class DecisionWithEffect(BaseModel):
    """A management decision on a recommendation, with its effect (reports
    `DecisionWithEffect`; `effect` null without a compared period)."""

    id: uuid.UUID
    text: str
    decided_on: date
    responsible: str
    recommendation_text: str
    indicator_code: str | None
    scope_type: str | None  # the scope the indicator's value is of
    scope_id: uuid.UUID | None
    period_before: str
    value_before: float | None
    effect: Effect | None
