"""What the documents ask the api service beyond what the indicator values need.

Roadmaps, their activities and progress, the indicators of a roadmap, names of territories
and clusters: each one call or a few pages of one list, whatever the number of schools.
The calls carry the user's identity, so the api service applies the user's rights: a roadmap
the user may not read is a 404 here too. Each answer is parsed into the typed models of
clients/models.py (one that does not fit is `PeerRefused`, 502).
"""

import uuid
from datetime import date

from fastapi import Request

from services.reports.clients.api import ApiClient
from services.reports.clients.models import (
    Activity,
    Cluster,
    Indicator,
    Roadmap,
    RoadmapDetail,
    RoadmapProgress,
)
from shared.errors import NotFound


class DocumentsApi(ApiClient):
    """The reports' api client with the reads the documents need."""

    @staticmethod
    def _as_of(as_of: date | None) -> dict[str, str]:
        return {"as_of": as_of.isoformat()} if as_of else {}

    async def roadmap(self, roadmap_id: uuid.UUID, as_of: date | None) -> RoadmapDetail:
        """The roadmap with its passport and sections; NotFound if the user may not read it."""
        try:
            return await self._get(f"/v1/roadmaps/{roadmap_id}", RoadmapDetail, self._as_of(as_of))
        except NotFound as exc:
            raise NotFound("Дорожная карта не найдена") from exc

    async def roadmap_activities(self, roadmap_id: uuid.UUID, as_of: date | None) -> list[Activity]:
        path = f"/v1/roadmaps/{roadmap_id}/activities"
        return await self._pages(path, self._as_of(as_of), Activity)

    async def progress(self, roadmap_id: uuid.UUID, as_of: date | None) -> RoadmapProgress:
        path = f"/v1/roadmaps/{roadmap_id}/progress"
        return await self._get(path, RoadmapProgress, self._as_of(as_of))

    async def responsible_activities(
        self, organization_id: uuid.UUID, as_of: date | None
    ) -> list[Activity]:
        """Activities of every roadmap that names the organization as responsible."""
        params = {"responsible_organization_id": str(organization_id), **self._as_of(as_of)}
        return await self._pages("/v1/activities", params, Activity)

    async def roadmaps(self) -> list[Roadmap]:
        """The roadmaps the user may read (for their titles)."""
        return await self._pages("/v1/roadmaps", {}, Roadmap)

    async def roadmap_indicators(self, roadmap_id: uuid.UUID) -> list[Indicator]:
        return await self._pages("/v1/indicators", {"roadmap_id": str(roadmap_id)}, Indicator)

    async def indicators_by_code(self, codes: list[str]) -> list[Indicator]:
        if not codes:
            return []
        return await self._pages("/v1/indicators", {"code": codes}, Indicator)

    async def clusters(self, scope_type: str, scope_id: uuid.UUID) -> list[Cluster]:
        """The clusters a territory's figures break down into, or the one cluster itself."""
        if scope_type == "cluster":
            return [await self._get(f"/v1/clusters/{scope_id}", Cluster)]
        if scope_type == "territory":
            return await self._pages("/v1/clusters", {"territory_id": str(scope_id)}, Cluster)
        return []


def documents_api(request: Request) -> DocumentsApi:
    return DocumentsApi(request.app.state.peers["api"])
