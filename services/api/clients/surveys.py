"""What the api asks the surveys service, as the signed-in person (`X-Soko-User`: the surveys
service answers exactly what it would answer them): for the pages, their own personal links,
campaigns with response rates, who has not answered; for an indicator's write, which of the
instrument codes it names exist (`instrument_codes`).

A peer that is down raises `PeerUnavailable`; a refusal `NotFound`, `Forbidden` or
`PeerRefused` (shared.client.checked), and so does an answer that does not fit its model.
"""

import uuid
from typing import Any

from fastapi import Request

from services.api.clients.models import (
    Campaign,
    InstrumentCodes,
    Invitation,
    OrganizationRate,
    Pending,
)
from shared.client import ServiceClient, parsed


class SurveysClient:
    def __init__(self, client: ServiceClient) -> None:
        self.client = client

    async def my_invitations(self) -> list[Invitation]:
        """`GET /v1/me/invitations`: the person's own personal links in open campaigns,
        soonest closing first (empty for an account without a staff record)."""
        return await self.client.pages("/v1/me/invitations", model=Invitation)

    async def campaigns(
        self,
        limit: int,
        offset: int = 0,
        *,
        open_first: bool = False,
        audience: str | None = None,
        anonymous: bool | None = None,
    ) -> tuple[list[Campaign], int]:
        """`GET /v1/campaigns`: `limit` campaigns reaching the person's scope from `offset`,
        newest first (with `open_first`, those taking answers first), of one `audience` and
        only anonymous or identified ones when given, and how many there are in all."""
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        if open_first:
            params["open_first"] = "true"
        if audience is not None:
            params["audience"] = audience
        if anonymous is not None:
            params["anonymous"] = "true" if anonymous else "false"
        page = await self.client.get_json("/v1/campaigns", params=params)
        items = parsed(list[Campaign], page.get("items"), "surveys", "/v1/campaigns")
        return items, int(page.get("total", len(items)))

    async def rates(self, campaign_id: uuid.UUID) -> list[OrganizationRate]:
        """`GET /v1/campaigns/{id}/rates`, every page: responses against the expected number
        per school of the person's scope (`rate` in percent)."""
        path = f"/v1/campaigns/{campaign_id}/rates"
        return await self.client.pages(path, model=OrganizationRate)

    async def pending(self, campaign_id: uuid.UUID) -> list[Pending]:
        """`GET /v1/campaigns/{id}/pending`, every page: who of the person's scope has not
        answered an identified campaign (names only, never their links)."""
        return await self.client.pages(f"/v1/campaigns/{campaign_id}/pending", model=Pending)

    async def instrument_codes(self, codes: list[str]) -> list[InstrumentCodes]:
        """`GET /v1/instruments/codes`, every page: of these instrument codes, those that
        exist, each with the question and competence codes of all its versions (one call for
        up to 500 of them)."""
        params = {"code": sorted(set(codes))}
        return await self.client.pages("/v1/instruments/codes", params, model=InstrumentCodes)


def surveys_client(request: Request) -> SurveysClient:
    """The app's surveys client (a dependency)."""
    return SurveysClient(request.app.state.peers["surveys"])
