"""HTTP: /v1/indicators."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from services.api.auth.deps import Caller, ScopeResolverDep
from services.api.indicators import service
from services.api.indicators.reach import reach_of
from services.api.indicators.schemas import IndicatorCreate, IndicatorRead, IndicatorUpdate
from shared.db import SessionDep
from shared.errors import Conflict, Forbidden, Invalid, NotFound, error_responses
from shared.indicator_methods import Method
from shared.pagination import Page, PaginationDep

router = APIRouter(tags=["indicators"])
ERRORS = error_responses(Forbidden, NotFound, Invalid, Conflict)


@router.post("/indicators", status_code=201, responses=ERRORS)
async def create_indicator(
    body: IndicatorCreate, session: SessionDep, caller: Caller, scopes: ScopeResolverDep
) -> IndicatorRead:
    """Define an indicator: method with params, target(s), the roadmaps it serves. An analyst's
    indicator is their territory's own (`owner_territory_id`); the global catalogue is the
    administrators'. 403 for other roles, 404 for an owner, target scope or roadmap outside the
    caller's scope, 409 for a taken code, 422 naming the field otherwise."""
    reach = await reach_of(session, scopes, caller)
    indicator = await service.create_indicator(session, scopes, reach, caller, body)
    return (await service.read_indicators(session, reach, [indicator]))[0]


@router.get("/indicators", responses=ERRORS)
async def list_indicators(
    session: SessionDep,
    caller: Caller,
    scopes: ScopeResolverDep,
    page: PaginationDep,
    roadmap_id: uuid.UUID | None = None,
    method: Method | None = None,
    level: str | None = None,
    code: Annotated[list[str] | None, Query(description="Коды показателей")] = None,
) -> Page[IndicatorRead]:
    """The global catalogue and the own indicators of the caller's territory, those above it
    and (for an analyst) under it, each with its owner and the targets and roadmaps that apply
    to the caller."""
    reach = await reach_of(session, scopes, caller)
    items, total = await service.list_indicators(
        session, reach, page, roadmap_id=roadmap_id, method=method, level=level, codes=code
    )
    return Page(items=await service.read_indicators(session, reach, items), total=total)


@router.get("/indicators/{indicator_id}", responses=ERRORS)
async def get_indicator(
    indicator_id: uuid.UUID, session: SessionDep, caller: Caller, scopes: ScopeResolverDep
) -> IndicatorRead:
    """One definition the caller sees (404 otherwise)."""
    reach = await reach_of(session, scopes, caller)
    indicator = await service.get_indicator(session, reach, indicator_id)
    return (await service.read_indicators(session, reach, [indicator]))[0]


@router.patch("/indicators/{indicator_id}", responses=ERRORS)
async def update_indicator(
    indicator_id: uuid.UUID,
    body: IndicatorUpdate,
    session: SessionDep,
    caller: Caller,
    scopes: ScopeResolverDep,
) -> IndicatorRead:
    """Change the definition (its owner: an administrator for the global catalogue) and the
    caller's own part of `targets` and `roadmap_ids` (what lies inside their scope); others'
    targets and links stay. 403 for what the caller sees but may not change, 404 for what they
    do not see, 422 naming the field."""
    reach = await reach_of(session, scopes, caller)
    indicator = await service.update_indicator(session, scopes, reach, caller, indicator_id, body)
    return (await service.read_indicators(session, reach, [indicator]))[0]
