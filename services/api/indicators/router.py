"""HTTP: /v1/indicators."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from services.api.auth.deps import Caller
from services.api.indicators import service
from services.api.indicators.params import Method
from services.api.indicators.schemas import IndicatorCreate, IndicatorRead, IndicatorUpdate
from shared.db import SessionDep
from shared.errors import Conflict, Forbidden, Invalid, NotFound, error_responses
from shared.pagination import Page, PaginationDep

router = APIRouter(tags=["indicators"])
ERRORS = error_responses(Forbidden, NotFound, Invalid, Conflict)


@router.post("/indicators", status_code=201, responses=ERRORS)
async def create_indicator(
    body: IndicatorCreate, session: SessionDep, caller: Caller
) -> IndicatorRead:
    """Define an indicator: method with params, target(s), the roadmaps it serves."""
    indicator = await service.create_indicator(session, caller, body)
    return (await service.read_indicators(session, [indicator]))[0]


@router.get("/indicators", responses=ERRORS)
async def list_indicators(
    session: SessionDep,
    caller: Caller,
    page: PaginationDep,
    roadmap_id: uuid.UUID | None = None,
    method: Method | None = None,
    level: str | None = None,
    code: Annotated[list[str] | None, Query(description="Коды показателей")] = None,
) -> Page[IndicatorRead]:
    items, total = await service.list_indicators(
        session, page, roadmap_id=roadmap_id, method=method, level=level, codes=code
    )
    return Page(items=await service.read_indicators(session, items), total=total)


@router.get("/indicators/{indicator_id}", responses=ERRORS)
async def get_indicator(
    indicator_id: uuid.UUID, session: SessionDep, caller: Caller
) -> IndicatorRead:
    indicator = await service.get_indicator(session, indicator_id)
    return (await service.read_indicators(session, [indicator]))[0]


@router.patch("/indicators/{indicator_id}", responses=ERRORS)
async def update_indicator(
    indicator_id: uuid.UUID, body: IndicatorUpdate, session: SessionDep, caller: Caller
) -> IndicatorRead:
    indicator = await service.update_indicator(session, caller, indicator_id, body)
    return (await service.read_indicators(session, [indicator]))[0]
