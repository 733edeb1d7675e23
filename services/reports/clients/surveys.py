"""What the reports service still asks the surveys service, for the PD order: diagnostics,
their campaigns, aggregates and teachers' deficits (personal results, never in a feed).

Aggregates, never responses: the surveys service pools them in SQL and withholds small
groups (anonymous ones from everyone, teachers' from all but the readers of personal
results). A peer that is down raises `PeerUnavailable`; a refusal `NotFound`, `Forbidden`
or `PeerRefused` (shared.client.checked).
"""

import uuid
from typing import Any

from fastapi import Request

from shared.client import ServiceClient


class SurveysClient:
    """Calls go with this service's token and the user's identity (`X-Soko-User`)."""

    def __init__(self, client: ServiceClient) -> None:
        self.client = client

    async def _get(self, path: str, params: dict[str, Any]) -> Any:
        return await self.client.get_json(path, params=params)

    async def campaigns(
        self,
        instrument_codes: list[str] | None,
        periods: list[str],
        territory_id: uuid.UUID | None = None,
    ) -> list[dict]:
        """Campaigns of the instruments (None: of any) in the periods that reach the user's
        organizations (of `territory_id` only, when given)."""
        if instrument_codes is not None and not instrument_codes:
            return []
        params: dict[str, Any] = {"period": periods}
        if instrument_codes is not None:
            params["instrument_code"] = instrument_codes
        if territory_id is not None:
            params["territory_id"] = str(territory_id)
        return await self.client.pages("/v1/campaigns", params)

    async def aggregates(
        self, campaign_id: uuid.UUID | str, level: str, *, public: bool = False
    ) -> list[dict[str, Any]]:
        """One campaign's aggregates per organization, cluster or territory, small groups
        withheld as the user may see them; `public`: as a reader without access to personal
        results sees them (what documents and recommendations may show)."""
        params = {"level": level, "public": "true" if public else "false"}
        answer = await self._get(f"/v1/campaigns/{campaign_id}/aggregates", params)
        return answer["items"]

    async def instruments(self, kind: str) -> list[dict[str, Any]]:
        """The bank's instruments of one kind (`deficit`: the diagnostics of teachers)."""
        return await self.client.pages("/v1/instruments", {"kind": kind})

    async def deficits(self, campaign_id: uuid.UUID | str) -> list[dict[str, Any]]:
        """Personal results of a diagnostic campaign, per staff member, for the schools the
        user may read them in (the surveys service decides; a refusal is 403 here too)."""
        return (await self._get(f"/v1/campaigns/{campaign_id}/deficits", {}))["items"]


def surveys_client(request: Request) -> SurveysClient:
    return SurveysClient(request.app.state.peers["surveys"])
