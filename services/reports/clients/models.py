"""What the api and surveys services answer the reports service, as typed models.

Each model is named after the peer's answer it reads and holds the fields the reports service
uses; ids are parsed as `uuid.UUID` and dates as `date`/`datetime` here, once. A field a peer
adds later is ignored (`extra="ignore"`); an answer without a field we read, or with one of
the wrong type, is the peer breaking the contract: `shared.client.parsed` raises `PeerRefused`
(502, logged), never a 500.
"""

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class PeerModel(BaseModel):
    """Base of the peers' answers: unknown fields ignored, the parsed answer read-only."""

    model_config = ConfigDict(extra="ignore", frozen=True)


# --- the api service ----------------------------------------------------------------------


class OrganizationFacts(PeerModel):
    """One organization of `POST /v1/organizations/lookup`."""

    id: uuid.UUID
    name: str
    kind: str
    territory_id: uuid.UUID
    territory_ids: list[uuid.UUID]  # its territory, then every one above it, up to the root
    cluster_ids: list[uuid.UUID]


class Territory(PeerModel):
    """One item of `GET /v1/territories`."""

    id: uuid.UUID
    name: str
    kind: str
    parent_id: uuid.UUID | None = None


class Cluster(PeerModel):
    """`GET /v1/clusters/{id}`, or one item of `GET /v1/clusters`."""

    id: uuid.UUID
    name: str
    territory_id: uuid.UUID


class Indicator(PeerModel):
    """One item of `GET /v1/indicators`: the definition (its targets are read from facts)."""

    id: uuid.UUID
    code: str
    name: str
    unit: str = "number"
    direction: str = "higher"
    method: str
    params: dict[str, Any] = {}


class Roadmap(PeerModel):
    """One item of `GET /v1/roadmaps`."""

    id: uuid.UUID
    title: str
    level: str
    owner_type: str  # territory | cluster | organization
    owner_id: uuid.UUID
    period: str | None = None
    passport: dict[str, Any] = {}


class RoadmapSection(PeerModel):
    id: uuid.UUID
    title: str


class RoadmapDetail(Roadmap):
    """`GET /v1/roadmaps/{id}`: the roadmap with its sections (their activities not read)."""

    sections: list[RoadmapSection]


class Activity(PeerModel):
    """One item of `GET /v1/roadmaps/{id}/activities` or `GET /v1/activities`."""

    id: uuid.UUID
    roadmap_id: uuid.UUID
    section_id: uuid.UUID | None = None
    number: str
    title: str
    deadline_text: str
    due_end: date | None = None
    responsible: str
    responsible_organization_ids: list[uuid.UUID] = []
    status: str  # planned | in_progress | done | cancelled
    completed_on: date | None = None
    overdue: bool = False


class Progress(PeerModel):
    """Execution figures of a roadmap or a section: counts of activities; `done_share` a
    percent (0–100) of those not cancelled, None without any."""

    total: int = 0
    planned: int = 0
    in_progress: int = 0
    done: int = 0
    cancelled: int = 0
    overdue: int = 0
    done_share: float | None = None


class SectionProgress(Progress):
    section_id: uuid.UUID | None = None
    title: str


class RoadmapProgress(PeerModel):
    """`GET /v1/roadmaps/{id}/progress`."""

    roadmap_id: uuid.UUID
    as_of: date
    overall: Progress
    sections: list[SectionProgress]


# --- the surveys service ------------------------------------------------------------------


class Instrument(PeerModel):
    """One item of `GET /v1/instruments`."""

    id: uuid.UUID
    code: str
    kind: str
    title: str


class Campaign(PeerModel):
    """One item of `GET /v1/campaigns`."""

    id: uuid.UUID
    title: str
    instrument_code: str
    audience: str
    period: str
    opens_at: datetime
    closes_at: datetime
    anonymous: bool
    status: str  # scheduled | open | closed


class ScopeAggregate(PeerModel):
    """One scope's figures of `GET /v1/campaigns/{id}/aggregates`: `n` respondents; withheld
    (`suppressed`, `reason`) it has no questions or competences. Per question and competence
    the surveys service's figures, as it words them (shares in percent)."""

    scope_type: str  # organization | cluster | territory
    scope_id: uuid.UUID
    n: int
    expected: int | None = None
    expected_unknown: str | None = None  # Russian: why `expected` is null
    response_rate: float | None = None
    suppressed: bool
    reason: str | None = None
    questions: list[dict[str, Any]] = []
    competences: list[dict[str, Any]] = []


class CampaignAggregates(PeerModel):
    """`GET /v1/campaigns/{id}/aggregates`."""

    items: list[ScopeAggregate]


class CompetenceScore(PeerModel):
    """One competence of a teacher's diagnostic result: score out of `max_score` (None or 0:
    not scored), and whether it is a deficit."""

    code: str
    title: str | None = None
    score: float
    max_score: float | None = None
    deficit: bool


class DeficitResult(PeerModel):
    """One teacher's results in `GET /v1/campaigns/{id}/deficits` (personal data)."""

    staff_id: uuid.UUID
    full_name: str
    organization_id: uuid.UUID
    competences: list[CompetenceScore]


class CampaignDeficits(PeerModel):
    """`GET /v1/campaigns/{id}/deficits`."""

    items: list[DeficitResult]
