"""What the reports service still asks the api service: organizations, territories, indicators
(for documents and the PD order), and where audit entries go (the values come from the facts).

Each method is one call (or a few pages of one list), whatever the number of organizations;
a peer that is down raises `PeerUnavailable`, which the caller turns into missing inputs; a
refusal (4xx) is `NotFound`, `Forbidden` or `PeerRefused` (shared.client.checked).
"""

import uuid
from typing import Any

from fastapi import Request

from shared.audit_outbox import AuditingApiClient
from shared.client import checked
from shared.db import SessionDep
from shared.headers import IDEMPOTENCY_KEY_HEADER


class ApiClient(AuditingApiClient):
    """Calls go with this service's token and the user's identity (`X-Soko-User`)."""

    async def _post(self, path: str, body: dict[str, Any]) -> Any:
        response = await self.client.request(
            "POST",
            path,
            json=body,
            # These POSTs only read: safe to retry.
            headers={IDEMPOTENCY_KEY_HEADER: f"read-{uuid.uuid4().hex}"},
        )
        return checked(response, "api").json()

    async def _get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """One read; a 404 (not there, or not readable by the user) is NotFound, not an outage."""
        return await self.client.get_json(path, params=params or {})

    async def _pages(self, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Every item of a list endpoint (shared/client.py's pager)."""
        return await self.client.pages(path, params)

    async def organizations(self, ids: list[uuid.UUID]) -> list[dict[str, Any]]:
        """Territory chain and clusters of the organizations the user may read (one call)."""
        if not ids:
            return []
        return await self._post(
            "/v1/organizations/lookup", {"organization_ids": [str(i) for i in ids]}
        )

    async def territories(self) -> list[dict[str, Any]]:
        """The territories the user may see (their subtree and those above): a few pages."""
        return await self._pages("/v1/territories", {})

    async def indicators(self) -> list[dict[str, Any]]:
        """Every indicator definition (formulas and shares refer to others)."""
        return await self._pages("/v1/indicators", {})


def api_client(request: Request, session: SessionDep) -> ApiClient:
    """The api client of a request, writing audit entries through the request's session."""
    return ApiClient.of_request(request, session)
