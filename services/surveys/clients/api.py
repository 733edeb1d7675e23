"""What the surveys service asks the api service: organizations and staff, the audit log."""

import uuid
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit_outbox import AuditOutbox, audit
from shared.client import ServiceClient, checked
from shared.db import SessionDep
from shared.errors import PeerUnavailable
from shared.headers import CLIENT_ADDRESS_HEADER, IDEMPOTENCY_KEY_HEADER


@dataclass(frozen=True)
class SignIn:
    """The api service's answer to a sign-in: a token (and its lifetime in seconds), or not,
    with the seconds to wait when too many attempts failed."""

    token: str | None = None
    expires_in: int = 0
    retry_after: int | None = None


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

    async def organizations(
        self, ids: list[uuid.UUID], *, with_staff: bool = False
    ) -> dict[uuid.UUID, dict[str, Any]]:
        """Facts of the organizations the user may read, by id (one call, whatever their number)."""
        if not ids:
            return {}
        response = await self.client.request(
            "POST",
            "/v1/organizations/lookup",
            json={"organization_ids": [str(i) for i in ids], "with_staff": with_staff},
            # A lookup changes nothing: safe to retry.
            headers={IDEMPOTENCY_KEY_HEADER: f"lookup-{uuid.uuid4().hex}"},
        )
        return {uuid.UUID(o["id"]): o for o in checked(response, "api").json()}

    async def sign_in(self, username: str, password: str, address: str | None) -> SignIn:
        """Check a password at `POST /v1/auth/token`, for the person at `address` (sent in
        X-Soko-Client-Address, so that failures are counted per person, not per service).
        Never retried. PeerUnavailable (503) when the api service does not answer usefully."""
        response = await self.client.request(
            "POST",
            "/v1/auth/token",
            data={"username": username, "password": password},
            headers={CLIENT_ADDRESS_HEADER: address} if address else None,
            as_service=True,
        )
        if response.status_code == 200:
            body = response.json()
            return SignIn(token=body["access_token"], expires_in=int(body["expires_in"]))
        if response.status_code == 429:
            wait = response.headers.get("retry-after", "")
            return SignIn(retry_after=int(wait) if wait.isdigit() else 60)
        if response.status_code in (401, 422):
            return SignIn()
        raise PeerUnavailable(f"Сервис api ответил {response.status_code}", peer="api")

    async def revoke(self, token: str) -> None:
        """Sign a user's token out everywhere (`POST /v1/auth/revoke`). Never retried.
        PeerUnavailable (503) when the api service is down, PeerRefused (502) when it
        refuses (shared.client.checked)."""
        response = await self.client.request(
            "POST", "/v1/auth/revoke", data={"token": token}, as_service=True
        )
        checked(response, "api")

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
