"""HTTP: /v1/indicators."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from services.api.access import Access
from services.api.auth.deps import AccessDep, allowed
from services.api.clients.surveys import SurveysClient, surveys_client
from services.api.indicators import service
from services.api.indicators.instrument_codes import code_warnings
from services.api.indicators.models import Indicator, IndicatorRoadmap, IndicatorTarget
from services.api.indicators.reach import Reach, reach_of
from services.api.indicators.schemas import (
    IndicatorCreate,
    IndicatorRead,
    IndicatorUpdate,
    IndicatorWritten,
)
from shared import etag
from shared.errors import Conflict, Forbidden, Invalid, NotFound, error_responses
from shared.identity import Role
from shared.indicator_methods import Method
from shared.pagination import Page, PaginationDep

router = APIRouter(tags=["indicators"])
ERRORS = error_responses(Forbidden, NotFound, Invalid, Conflict)
# A change writes the definition, its targets and its roadmap links: all three are its state.
INDICATOR = etag.Versioned.of(
    Indicator,
    children=[(IndicatorTarget, "indicator_id"), (IndicatorRoadmap, "indicator_id")],
)
SurveysDep = Annotated[SurveysClient, Depends(surveys_client)]


@router.post(
    "/indicators", status_code=201, responses=ERRORS, dependencies=[allowed(Role.territory_analyst)]
)
async def create_indicator(
    body: IndicatorCreate, access: AccessDep, surveys: SurveysDep
) -> IndicatorWritten:
    """Define an indicator: method with params, target(s), the roadmaps it serves. An analyst's
    indicator is their territory's own (`owner_territory_id`); the global catalogue is the
    administrators'. 403 for other roles, 404 for an owner, target scope or roadmap outside the
    caller's scope, 409 for a taken code, 422 naming the field otherwise. `warnings`: a
    percent target of at most 1, which looks like a share written as a fraction; an
    instrument, question or competence code the surveys service does not know (naming
    `params.instrument_code`, `params.question_codes`, `params.competences`: kept, as the
    instrument may come later; none when the surveys service cannot be asked)."""
    reach = await reach_of(access)
    indicator = await service.create_indicator(access, reach, body)
    return await _written(access, reach, indicator, body, surveys, definition=True)


async def _written(
    access: Access,
    reach: Reach,
    indicator: Indicator,
    body: IndicatorCreate | IndicatorUpdate,
    surveys: SurveysClient,
    *,
    definition: bool,
) -> IndicatorWritten:
    """The indicator as read, with the warnings about the targets `body` sent and, when it
    wrote the method or params (`definition`), about the surveys' codes the params name."""
    [read] = await service.read_indicators(access.session, reach, [indicator])
    warnings = service.fraction_warnings(indicator.unit, body.target, body.targets)
    if definition:
        warnings += await code_warnings(surveys, indicator.code, indicator.method, indicator.params)
    return IndicatorWritten(**read.model_dump(), warnings=warnings)


@router.get("/indicators", responses=ERRORS)
async def list_indicators(
    access: AccessDep,
    page: PaginationDep,
    roadmap_id: uuid.UUID | None = None,
    method: Method | None = None,
    level: str | None = None,
    code: Annotated[list[str] | None, Query(description="Indicator codes")] = None,
) -> Page[IndicatorRead]:
    """The global catalogue and the own indicators of the caller's territory, those above it
    and (for an analyst) under it, each with its owner and the targets and roadmaps that apply
    to the caller."""
    reach = await reach_of(access)
    items, total = await service.list_indicators(
        access.session, reach, page, roadmap_id=roadmap_id, method=method, level=level, codes=code
    )
    return Page(items=await service.read_indicators(access.session, reach, items), total=total)


@router.get("/indicators/{indicator_id}", responses=ERRORS | etag.TAGGED)
async def get_indicator(
    indicator_id: uuid.UUID, access: AccessDep, response: Response
) -> IndicatorRead:
    """One definition the caller sees (404 otherwise), with its `ETag` (of the definition, its
    targets and roadmap links)."""
    reach = await reach_of(access)
    indicator = await service.get_indicator(access.session, reach, indicator_id)
    await etag.tag_response(response, access.session, INDICATOR, indicator.id)
    return (await service.read_indicators(access.session, reach, [indicator]))[0]


@router.patch(
    "/indicators/{indicator_id}",
    responses=ERRORS | etag.CONDITIONAL,
    dependencies=[allowed(Role.territory_analyst)],
)
async def update_indicator(
    indicator_id: uuid.UUID,
    body: IndicatorUpdate,
    access: AccessDep,
    surveys: SurveysDep,
    response: Response,
    if_match: etag.IfMatchDep,
) -> IndicatorWritten:
    """Change the definition (its owner: an administrator for the global catalogue) and the
    caller's own part of `targets` and `roadmap_ids` (what lies inside their scope); others'
    targets and links stay. 403 for what the caller sees but may not change, 404 for what they
    do not see, 422 naming the field; `warnings` as for a create, of the targets sent and,
    when `method` or `params` is sent, of the surveys' codes the params name. With `If-Match`
    only if the indicator is unchanged since (412 otherwise, nothing changed); answers the new
    `ETag`."""
    reach = await reach_of(access)
    async with etag.precondition(access.session, INDICATOR, indicator_id, if_match, response):
        indicator = await service.update_indicator(access, reach, indicator_id, body)
    sent = bool({"method", "params"} & body.model_fields_set)
    return await _written(access, reach, indicator, body, surveys, definition=sent)
