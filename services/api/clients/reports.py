"""What the api's pages ask the reports service, as the signed-in person (`X-Soko-User`):
recommendations (and moving one through its lifecycle), individual routes, the PD order,
indicator values of a scope at one level, the decisions of a territory with their effect and
the periods that have them.

A peer that is down raises `PeerUnavailable`; a refusal `NotFound`, `Forbidden` or
`PeerRefused` (shared.client.checked), and so does an answer that does not fit its model.
A status change the lifecycle does not allow, or from a status that is no longer the current
one, is `Conflict` (409 from the reports service).
"""

import uuid
from typing import Any

from services.api.clients.models import (
    DecisionWithEffect,
    IndicatorValue,
    PdOrder,
    Recommendation,
    Route,
)
from shared.client import ServiceClient, checked, json_of, parsed
from shared.errors import Conflict


class ReportsClient:
    def __init__(self, client: ServiceClient) -> None:
        self.client = client

    async def recommendations(
        self, limit: int, offset: int = 0, **filters: Any
    ) -> tuple[list[Recommendation], int]:
        """`GET /v1/recommendations` (filters such as `organization_id`, `status`): `limit`
        of those the person may read from `offset`, and how many there are in all."""
        params = {k: str(v) for k, v in filters.items() if v is not None}
        page = await self.client.get_json(
            "/v1/recommendations", params=params | {"limit": limit, "offset": offset}
        )
        items = parsed(list[Recommendation], page.get("items"), "reports", "/v1/recommendations")
        return items, int(page.get("total", len(items)))

    async def change_status(
        self, recommendation_id: uuid.UUID, status: str, from_status: str | None = None
    ) -> Recommendation:
        """`PATCH /v1/recommendations/{id}` with `status` (and `from_status`, the status the
        person was shown: refused if it is no longer the current one): Conflict when the
        lifecycle does not allow it or the status has changed meanwhile (then with
        `current_status` in its `extra`), Forbidden/NotFound as the reports service answers
        the person."""
        path = f"/v1/recommendations/{recommendation_id}"
        body = {"status": status} | ({"from_status": from_status} if from_status else {})
        response = await self.client.request("PATCH", path, json=body)
        if response.status_code == 409:
            problem = json_of(response, "reports")
            current = problem.get("current_status")
            extra = {"current_status": current} if isinstance(current, str) else {}
            raise Conflict(str(problem.get("detail", "")), **extra)
        answer = json_of(checked(response, "reports"), "reports")
        return parsed(Recommendation, answer, "reports", path)

    async def routes(self, limit: int, period: str | None = None) -> tuple[list[Route], int]:
        """`GET /v1/individual-routes`: a teacher's own, a leader's school's, a
        methodologist's territory's (each read is audited by the reports service)."""
        params: dict[str, Any] = {"limit": limit, "offset": 0}
        if period:
            params["period"] = period
        page = await self.client.get_json("/v1/individual-routes", params=params)
        items = parsed(list[Route], page.get("items"), "reports", "/v1/individual-routes")
        return items, int(page.get("total", len(items)))

    async def pd_order(self, territory_id: uuid.UUID, period: str, rebuild: bool) -> PdOrder:
        """`GET /v1/pd-order` of a territory and school year: with `rebuild` a methodologist's
        request rebuilds the routes first; without, it reads the order as last built."""
        params = {
            "territory_id": str(territory_id),
            "period": period,
            "rebuild": "true" if rebuild else "false",
        }
        answer = await self.client.get_json("/v1/pd-order", params=params)
        return parsed(PdOrder, answer, "reports", "/v1/pd-order")

    async def indicator_values(
        self,
        period: str,
        scope_type: str,
        scope_id: uuid.UUID,
        level: str,
    ) -> list[IndicatorValue]:
        """`GET /v1/indicator-values` of a scope and period at one `level` (territory,
        cluster, organization: the units of that type inside the scope, the scope itself
        among them when it is of that type), every indicator the person sees, every page.
        NotFound for a scope outside the person's."""
        scope = {"scope_type": scope_type, "scope_id": str(scope_id), "level": level}
        params = {"period": period, **scope}
        return await self.client.pages("/v1/indicator-values", params, model=IndicatorValue)

    async def decisions(
        self, territory_id: uuid.UUID, period: str, compare_period: str | None
    ) -> list[DecisionWithEffect]:
        """`GET /v1/decisions`: the decisions on the territory's recommendations of `period`,
        each with its effect in `compare_period` (the indicator's value before and then)."""
        params = {"territory_id": str(territory_id), "period": period}
        if compare_period:
            params["compare_period"] = compare_period
        return await self.client.pages("/v1/decisions", params, model=DecisionWithEffect)

    async def decided_periods(self, territory_id: uuid.UUID) -> set[str]:
        """`GET /v1/decisions/periods`: the recommendations' periods (codes) for which
        `decisions` of the territory lists any."""
        params = {"territory_id": str(territory_id)}
        return set(await self.client.pages("/v1/decisions/periods", params, model=str))
