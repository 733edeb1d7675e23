"""What the surveys service asks the api service: organizations and staff, the audit log."""

import uuid
from dataclasses import dataclass
from typing import Any

from fastapi import Request

from shared.audit_outbox import AuditingApiClient
from shared.client import checked
from shared.db import SessionDep
from shared.errors import PeerUnavailable
from shared.headers import CLIENT_ADDRESS_HEADER


@dataclass(frozen=True)
class SignIn:
    """The api service's answer to a sign-in: a token (and its lifetime in seconds), or not,
    with the seconds to wait when too many attempts failed."""

    token: str | None = None
    expires_in: int = 0
    retry_after: int | None = None


class ApiClient(AuditingApiClient):
    """Calls go with this service's token and the user's identity (`X-Soko-User`)."""

    async def organizations(
        self, ids: list[uuid.UUID], *, with_staff: bool = False
    ) -> dict[uuid.UUID, dict[str, Any]]:
        """Facts of the organizations the user may read, by id (one call, whatever their number)."""
        if not ids:
            return {}
        found = await self.client.post_read(
            "/v1/organizations/lookup",
            {"organization_ids": [str(i) for i in ids], "with_staff": with_staff},
        )
        return {uuid.UUID(o["id"]): o for o in found}

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


def api_client(request: Request, session: SessionDep) -> ApiClient:
    """The api client of a request, writing audit entries through the request's session."""
    return ApiClient.of_request(request, session)
