"""What the reports service still asks the api service: organizations, territories, indicators
(for documents and the PD order), and where audit entries go (the values come from the facts).

Each method is one call (or a few pages of one list), whatever the number of organizations,
and returns the typed models of clients/models.py; a peer that is down raises
`PeerUnavailable`, which the caller turns into missing inputs; a refusal (4xx) is `NotFound`,
`Forbidden` or `PeerRefused` (shared.client.checked), and so is an answer that does not fit
its model (`PeerRefused`, shared.client.parsed).
"""

import uuid
from typing import Any, TypeVar

from fastapi import Request

from services.reports.clients.models import Indicator, OrganizationFacts, Territory
from shared.audit_outbox import AuditingApiClient
from shared.client import parsed
from shared.db import SessionDep

M = TypeVar("M")


class ApiClient(AuditingApiClient):
    """Calls go with this service's token and the user's identity (`X-Soko-User`)."""

    async def _post(self, path: str, body: dict[str, Any], shape: type[M]) -> M:
        """One read sent as a POST (a body too long for a query), parsed as `shape`."""
        return parsed(shape, await self.client.post_read(path, body), "api", path)

    async def _get(self, path: str, shape: type[M], params: dict[str, Any] | None = None) -> M:
        """One read parsed as `shape`; a 404 (not there, or not readable by the user) is
        NotFound, not an outage."""
        return parsed(shape, await self.client.get_json(path, params=params or {}), "api", path)

    async def _pages(self, path: str, params: dict[str, Any], model: type[M]) -> list[M]:
        """Every item of a list endpoint (shared/client.py's pager), each parsed as `model`."""
        return await self.client.pages(path, params, model=model)

    async def organizations(self, ids: list[uuid.UUID]) -> list[OrganizationFacts]:
        """Territory chain and clusters of the organizations the user may read (one call)."""
        if not ids:
            return []
        return await self._post(
            "/v1/organizations/lookup",
            {"organization_ids": [str(i) for i in ids]},
            list[OrganizationFacts],  # type: ignore[arg-type]
        )

    async def territories(self) -> list[Territory]:
        """The territories the user may see (their subtree and those above): a few pages."""
        return await self._pages("/v1/territories", {}, Territory)

    async def indicators(self) -> list[Indicator]:
        """Every indicator definition (formulas and shares refer to others)."""
        return await self._pages("/v1/indicators", {}, Indicator)


def api_client(request: Request, session: SessionDep) -> ApiClient:
    """The api client of a request, writing audit entries through the request's session."""
    return ApiClient.of_request(request, session)
