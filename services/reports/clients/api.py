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
from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.clients.models import Indicator, OrganizationFacts, Territory
from shared.audit_outbox import AuditOutbox, audit
from shared.client import ServiceClient, checked, json_of, parsed
from shared.db import SessionDep
from shared.headers import IDEMPOTENCY_KEY_HEADER

M = TypeVar("M")


class ApiClient:
    """Calls go with this service's token and the user's identity (`X-Soko-User`)."""

    def __init__(
        self,
        client: ServiceClient,
        *,
        outbox: AuditOutbox | None = None,
        session: AsyncSession | None = None,
    ) -> None:
        self.client = client
        self.outbox, self.session = outbox, session  # where `audit` writes its entries

    async def _post(self, path: str, body: dict[str, Any], shape: type[M]) -> M:
        """One read sent as a POST (a body too long for a query), parsed as `shape`."""
        response = await self.client.request(
            "POST",
            path,
            json=body,
            # These POSTs only read: safe to retry.
            headers={IDEMPOTENCY_KEY_HEADER: f"read-{uuid.uuid4().hex}"},
        )
        return parsed(shape, json_of(checked(response, "api"), "api"), "api", path)

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

    async def audit(
        self, action: str, entity_type: str, entity_id: str | None, changes: dict[str, Any]
    ) -> None:
        """Record an event in the audit log of the api service, as the user it is done for: in
        this service's outbox, in the request's transaction, sent once it commits
        (shared/audit_outbox.py). Without an outbox (a client made outside a request), sent
        at once; PeerUnavailable (503) then if the api service does not take it."""
        await audit(self.client, self.outbox, self.session, action, entity_type, entity_id, changes)


def api_client(request: Request, session: SessionDep) -> ApiClient:
    """The api client of a request, writing audit entries through the request's session."""
    outbox = getattr(request.app.state, "audit_outbox", None)
    return ApiClient(request.app.state.peers["api"], outbox=outbox, session=session)
