"""What the surveys service asks the api service: organizations and staff, the audit log."""

import uuid
from typing import Any

from fastapi import Request

from shared.client import ServiceClient, record_audit
from shared.errors import PeerUnavailable


class ApiClient:
    """Calls go with this service's token and the user's identity (`X-Soko-User`)."""

    def __init__(self, client: ServiceClient) -> None:
        self.client = client

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
            headers={"Idempotency-Key": f"lookup-{uuid.uuid4().hex}"},
        )
        if response.status_code != 200:
            raise PeerUnavailable(f"Сервис api ответил {response.status_code}", peer="api")
        return {uuid.UUID(o["id"]): o for o in response.json()}

    async def audit(
        self, action: str, entity_type: str, entity_id: str | None, changes: dict[str, Any]
    ) -> None:
        """Record an event in the audit log of the api service, as the user it is done for."""
        await record_audit(self.client, action, entity_type, entity_id, changes)


def api_client(request: Request) -> ApiClient:
    return ApiClient(request.app.state.peers["api"])
