"""HTTP: /v1/territories and /v1/scopes/resolve."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from services.api.access import MANAGERS
from services.api.auth.deps import AccessDep, ScopeResolverDep, allowed
from services.api.territories import service
from services.api.territories.models import Territory
from services.api.territories.schemas import (
    TerritoryCreate,
    TerritoryKind,
    TerritoryRead,
    TerritoryUpdate,
)
from shared import etag
from shared.errors import Conflict, Forbidden, Invalid, NotFound, error_responses
from shared.identity import ScopeType
from shared.pagination import Page, PaginationDep

router = APIRouter(tags=["territories"])
ERRORS = error_responses(Forbidden, NotFound, Invalid)
# A write may find the name taken by a sibling (409, services/api/sibling_names.py).
WRITES = error_responses(Forbidden, NotFound, Invalid, Conflict)
TERRITORY = etag.Versioned.of(Territory)


@router.post("/territories", status_code=201, responses=WRITES, dependencies=[allowed(*MANAGERS)])
async def create_territory(body: TerritoryCreate, access: AccessDep) -> TerritoryRead:
    """Create a region or a municipality (analysts: under their own territory)."""
    territory = await service.create_territory(access, body)
    return TerritoryRead.model_validate(territory)


@router.get("/territories", responses=ERRORS)
async def list_territories(
    access: AccessDep,
    page: PaginationDep,
    parent_id: uuid.UUID | None = None,
    kind: TerritoryKind | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[TerritoryRead]:
    """Territories the caller may see: their own subtree and the territories above them."""
    items, total = await service.list_territories(access, page, parent_id=parent_id, kind=kind, q=q)
    return Page(items=[TerritoryRead.model_validate(t) for t in items], total=total)


@router.get("/territories/{territory_id}", responses=ERRORS | etag.TAGGED)
async def get_territory(
    territory_id: uuid.UUID, access: AccessDep, response: Response
) -> TerritoryRead:
    """One territory the caller sees (404 otherwise), with its `ETag`."""
    territory = await service.get_territory(access, territory_id)
    await etag.tag_response(response, access.session, TERRITORY, territory.id)
    return TerritoryRead.model_validate(territory)


@router.patch(
    "/territories/{territory_id}",
    responses=WRITES | etag.CONDITIONAL,
    dependencies=[allowed(*MANAGERS)],
)
async def update_territory(
    territory_id: uuid.UUID,
    body: TerritoryUpdate,
    access: AccessDep,
    response: Response,
    if_match: etag.IfMatchDep,
) -> TerritoryRead:
    """Change a territory. With `If-Match` only if it is unchanged since (412 otherwise,
    nothing changed); answers the new `ETag`."""
    async with etag.precondition(access.session, TERRITORY, territory_id, if_match, response):
        territory = await service.update_territory(access, territory_id, body)
    return TerritoryRead.model_validate(territory)


@router.get("/scopes/resolve", tags=["scopes"], responses=ERRORS, dependencies=[allowed()])
async def resolve_scope(
    scope_type: ScopeType, scope_id: uuid.UUID, scopes: ScopeResolverDep
) -> dict[str, Any]:
    """Where a territory, cluster or organization sits (for the other Soko services and
    administrators; 403 for anyone else, before the query is read)."""
    return (await scopes.resolve(scope_type, scope_id)).to_json()
