"""What the reports service still asks the surveys service, for the PD order: diagnostics,
their campaigns, aggregates and teachers' deficits (personal results, never in a feed).

Aggregates, never responses: the surveys service pools them in SQL and withholds small
groups (anonymous ones from everyone, teachers' from all but the readers of personal
results). A peer that is down raises `PeerUnavailable`; a refusal `NotFound`, `Forbidden`
or `PeerRefused` (shared.client.checked), and so does an answer that does not fit its model
(`PeerRefused`, shared.client.parsed).
"""

import uuid
from typing import Any, TypeVar

from fastapi import Request

from services.reports.clients.models import (
    Campaign,
    CampaignAggregates,
    CampaignDeficits,
    DeficitResult,
    Instrument,
    ScopeAggregate,
)
from shared.client import ServiceClient, parsed

M = TypeVar("M")


class SurveysClient:
    """Calls go with this service's token and the user's identity (`X-Soko-User`); each
    method returns the typed models of clients/models.py."""

    def __init__(self, client: ServiceClient) -> None:
        self.client = client

    async def _get(self, path: str, shape: type[M], params: dict[str, Any]) -> M:
        return parsed(shape, await self.client.get_json(path, params=params), "surveys", path)

    async def campaigns(
        self,
        instrument_codes: list[str] | None,
        periods: list[str],
        territory_id: uuid.UUID | None = None,
    ) -> list[Campaign]:
        """Campaigns of the instruments (None: of any) in the periods that reach the user's
        organizations (of `territory_id` only, when given)."""
        if instrument_codes is not None and not instrument_codes:
            return []
        params: dict[str, Any] = {"period": periods}
        if instrument_codes is not None:
            params["instrument_code"] = instrument_codes
        if territory_id is not None:
            params["territory_id"] = str(territory_id)
        return await self.client.pages("/v1/campaigns", params, model=Campaign)

    async def aggregates(
        self, campaign_id: uuid.UUID, level: str, *, public: bool = False
    ) -> list[ScopeAggregate]:
        """One campaign's aggregates per organization, cluster or territory, small groups
        withheld as the user may see them; `public`: as a reader without access to personal
        results sees them (what documents and recommendations may show)."""
        params = {"level": level, "public": "true" if public else "false"}
        path = f"/v1/campaigns/{campaign_id}/aggregates"
        return (await self._get(path, CampaignAggregates, params)).items

    async def instruments(self, kind: str) -> list[Instrument]:
        """The bank's instruments of one kind (`deficit`: the diagnostics of teachers)."""
        return await self.client.pages("/v1/instruments", {"kind": kind}, model=Instrument)

    async def deficits(self, campaign_id: uuid.UUID) -> list[DeficitResult]:
        """Personal results of a diagnostic campaign, per staff member, for the schools the
        user may read them in (the surveys service decides; a refusal is 403 here too)."""
        path = f"/v1/campaigns/{campaign_id}/deficits"
        return (await self._get(path, CampaignDeficits, {})).items


def surveys_client(request: Request) -> SurveysClient:
    return SurveysClient(request.app.state.peers["surveys"])
