"""What the api asks the surveys service, as the signed-in person (`X-Soko-User`: the surveys
service answers exactly what it would answer them): for the pages, their own personal links,
campaigns with response rates, who has not answered, the instruments and their versions and
the launch of a campaign (the launch page); for an indicator's write, which of the instrument
codes it names exist (`instrument_codes`).

A peer that is down raises `PeerUnavailable`; a refusal `NotFound`, `Forbidden` or
`PeerRefused` (shared.client.checked), and so does an answer that does not fit its model.
"""

import uuid
from typing import Any

from fastapi import Request

from services.api.clients.models import (
    Campaign,
    Instrument,
    InstrumentCodes,
    Invitation,
    OrganizationRate,
    Pending,
)
from shared.client import ServiceClient, checked, json_of, parsed
from shared.errors import Conflict, Invalid
from shared.headers import IDEMPOTENCY_KEY_HEADER


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

    async def instruments(self) -> list[Instrument]:
        """`GET /v1/instruments`, every page: the instrument bank as the person sees it, each
        with its versions."""
        return await self.client.pages("/v1/instruments", model=Instrument)

    async def campaign(self, campaign_id: uuid.UUID) -> Campaign:
        """`GET /v1/campaigns/{id}`: one campaign the person reads (NotFound otherwise)."""
        path = f"/v1/campaigns/{campaign_id}"
        return parsed(Campaign, await self.client.get_json(path), "surveys", path)

    async def launch(self, body: dict[str, Any], key: str | None) -> Campaign:
        """`POST /v1/campaigns` as the person (their rights, never more), with `key` as its
        `Idempotency-Key` when given (the same form sent twice launches once; retried when
        the service does not answer). The launched campaign; `Invalid` with the problem's
        `errors` (Russian `msg`, `loc` naming the field) for a 422, `Conflict` for a 409 (a
        key used with another body), `Forbidden`/`NotFound` as answered, `PeerUnavailable`
        when the service is down."""
        headers = {IDEMPOTENCY_KEY_HEADER: key} if key else None
        response = await self.client.request("POST", "/v1/campaigns", json=body, headers=headers)
        if response.status_code in (409, 422):
            problem = json_of(response, "surveys")
            problem = problem if isinstance(problem, dict) else {}
            detail = str(problem.get("detail") or "")
            if response.status_code == 409:
                raise Conflict(detail or None)
            errors = problem.get("errors")
            raise Invalid(detail or None, errors=errors if isinstance(errors, list) else None)
        answer = json_of(checked(response, "surveys"), "surveys")
        return parsed(Campaign, answer, "surveys", "/v1/campaigns")


def surveys_client(request: Request) -> SurveysClient:
    """The app's surveys client (a dependency)."""
    return SurveysClient(request.app.state.peers["surveys"])
