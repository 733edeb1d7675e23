"""What the reports service asks the surveys service: campaigns and their aggregates.

Aggregates, never responses: the surveys service pools them in SQL and withholds small
anonymous groups. A peer that is down raises `PeerUnavailable`.
"""

import uuid
from typing import Any

from fastapi import Request

from shared.client import ServiceClient
from shared.errors import PeerUnavailable

PAGE = 500


class SurveysClient:
    """Calls go with this service's token and the user's identity (`X-Soko-User`)."""

    def __init__(self, client: ServiceClient) -> None:
        self.client = client

    async def _get(self, path: str, params: dict[str, Any]) -> Any:
        response = await self.client.request("GET", path, params=params)
        if response.status_code != 200:
            raise PeerUnavailable(f"Сервис surveys ответил {response.status_code}", peer="surveys")
        return response.json()

    async def campaigns(self, instrument_codes: list[str], periods: list[str]) -> list[dict]:
        """Campaigns of the instruments in the periods that reach the user's organizations."""
        if not instrument_codes:
            return []
        items: list[dict[str, Any]] = []
        while True:
            params = {
                "instrument_code": instrument_codes,
                "period": periods,
                "limit": PAGE,
                "offset": len(items),
            }
            page = await self._get("/v1/campaigns", params)
            items += page["items"]
            if not page["items"] or len(items) >= page["total"]:
                return items

    async def aggregates(self, campaign_id: uuid.UUID | str, level: str) -> list[dict[str, Any]]:
        """One campaign's aggregates per organization, cluster or territory."""
        answer = await self._get(f"/v1/campaigns/{campaign_id}/aggregates", {"level": level})
        return answer["items"]


def surveys_client(request: Request) -> SurveysClient:
    return SurveysClient(request.app.state.peers["surveys"])
