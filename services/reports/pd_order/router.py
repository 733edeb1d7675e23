"""HTTP: /v1/pd-programmes, /v1/pd-order, /v1/individual-routes."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from services.reports.deps import Api, EditableProgramme, OwnersDep, ScopeResolverDep, Surveys
from services.reports.pd_order import catalogue, service
from services.reports.pd_order.models import PdProgramme
from services.reports.pd_order.schemas import (
    IndividualRouteRead,
    PdOrderRead,
    PdProgrammeCreate,
    PdProgrammeRead,
    PdProgrammeUpdate,
)
from shared import etag
from shared.db import SessionDep
from shared.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    PeerUnavailable,
    Unauthorized,
    error_responses,
)
from shared.identity import Caller, allowed, gate
from shared.pagination import Page, PaginationDep
from shared.periods import Period, period_query

router = APIRouter(tags=["pd order"])
ERRORS = error_responses(Unauthorized, Forbidden, NotFound, Invalid, Conflict)
READ_ERRORS = error_responses(Unauthorized, Forbidden, NotFound, Invalid, PeerUnavailable)
PROGRAMME = etag.Versioned.of(PdProgramme)
PdPeriod = Annotated[Period, Depends(period_query(description="2021/2022"))]
OptionalPdPeriod = Annotated[
    Period | None, Depends(period_query(description="2021/2022", required=False))
]


@router.get("/pd-programmes", responses=ERRORS)
async def list_programmes(
    session: SessionDep,
    owners: OwnersDep,
    page: PaginationDep,
    active: bool | None = None,
    competence: Annotated[
        str | None, Query(max_length=80, description="Programmes aimed at the competence")
    ] = None,
) -> Page[PdProgrammeRead]:
    """The PD programmes (ЦНППМ, ИРО, ИМЦ) the caller sees, by code, each with its owner: the
    global catalogue, those of the caller's territory and above, and of territories under it."""
    items, total = await catalogue.list_programmes(
        session, owners, page, active=active, competence=competence
    )
    return Page(items=[PdProgrammeRead.model_validate(p) for p in items], total=total)


@router.post(
    "/pd-programmes", status_code=201, responses=ERRORS, dependencies=[allowed(*catalogue.EDITORS)]
)
async def create_programme(
    body: PdProgrammeCreate, session: SessionDep, owners: OwnersDep, api: Api
) -> PdProgrammeRead:
    """Add a programme: an analyst's or methodologist's is their territory's own
    (`owner_territory_id` inside their scope, else 404); the global catalogue is the
    administrators'. 403 for other roles, 409 when the code is taken."""
    programme = await catalogue.create_programme(session, owners, api, body)
    return PdProgrammeRead.model_validate(programme)


@router.get("/pd-programmes/{programme_id}", responses=ERRORS | etag.TAGGED)
async def get_programme(
    programme_id: uuid.UUID, session: SessionDep, owners: OwnersDep, response: Response
) -> PdProgrammeRead:
    """One programme the caller sees (404 otherwise), with its `ETag`."""
    programme = await catalogue.get_programme(session, owners, programme_id)
    await etag.tag_response(response, session, PROGRAMME, programme.id)
    return PdProgrammeRead.model_validate(programme)


@router.patch(
    "/pd-programmes/{programme_id}",
    responses=ERRORS | etag.CONDITIONAL,
    dependencies=[allowed(*catalogue.EDITORS)],
)
async def update_programme(
    programme: EditableProgramme,
    body: PdProgrammeUpdate,
    session: SessionDep,
    api: Api,
    response: Response,
    if_match: etag.IfMatchDep,
) -> PdProgrammeRead:
    """Change a programme: the global catalogue an administrator, a territory's own programme
    its analysts and methodologists (and those above); 403 for others who see it, 404 for
    those who do not (both before the body is read), 409 for a taken code. With `If-Match`
    only if it is unchanged since (412 otherwise, nothing changed); answers the new `ETag`."""
    async with etag.precondition(session, PROGRAMME, programme.id, if_match, response):
        programme = await catalogue.update_programme(session, api, programme, body)
    return PdProgrammeRead.model_validate(programme)


@router.delete(
    "/pd-programmes/{programme_id}",
    status_code=204,
    responses=ERRORS,
    dependencies=[allowed(*catalogue.EDITORS)],
)
async def delete_programme(programme: EditableProgramme, session: SessionDep, api: Api) -> Response:
    """Remove a programme (who may: as for PATCH); one of the default catalogue is deactivated
    instead (it would come back at the next start). Routes already built keep their copy."""
    await catalogue.delete_programme(session, api, programme)
    return Response(status_code=204)


@router.get("/pd-order", responses=READ_ERRORS, dependencies=[allowed(*service.ORDER_READERS)])
async def get_pd_order(
    request: Request,
    session: SessionDep,
    caller: Caller,
    api: Api,
    surveys: Surveys,
    scopes: ScopeResolverDep,
    territory_id: uuid.UUID,
    period: PdPeriod,
    rebuild: Annotated[
        bool,
        Query(
            description="A methodologist's request rebuilds the routes first (the default); "
            "`false` reads the order last built, changing nothing (`built_at` says when)."
        ),
    ] = True,
) -> PdOrderRead:
    """The PD order (план-заказ): seats per programme per organization of the territory, from
    the teachers' individual routes. A methodologist's request rebuilds the routes from the
    diagnostics of the period first, unless `rebuild=false` (a page view: read only, nothing
    stored changes); others see the order last built (no names, no scores),
    and unless they may read personal results, the schools of fewer diagnosed teachers than
    the disclosure minimum, or whose seats would tell individual results (fewer than 2 of
    their diagnosed teachers routed to a programme, or not routed to it), folded into
    «другие организации» (or no order at all, `suppressed`, when the territory has so few)."""
    minimum = request.app.state.settings.disclosure_minimum
    result = await service.pd_order(
        session, caller, scopes, api, surveys, territory_id, period, minimum, rebuild
    )
    return PdOrderRead.model_validate(result)


@router.get(
    "/individual-routes", responses=READ_ERRORS, dependencies=[gate(service.ensure_route_reader)]
)
async def list_individual_routes(
    session: SessionDep,
    caller: Caller,
    api: Api,
    scopes: ScopeResolverDep,
    page: PaginationDep,
    period: OptionalPdPeriod,
    organization_id: uuid.UUID | None = None,
    staff_id: uuid.UUID | None = None,
) -> Page[IndividualRouteRead]:
    """Teachers' individual development routes (personal data): a teacher sees their own, a
    leader their school's, a methodologist their territory's; every read is recorded in the
    audit log."""
    items, total = await service.list_routes(
        session,
        caller,
        scopes,
        api,
        page,
        period=period,
        organization_id=organization_id,
        staff_id=staff_id,
    )
    return Page(items=items, total=total)
