"""HTTP: /v1/pd-programmes, /v1/pd-order, /v1/individual-routes."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from services.reports.clients.api import ApiClient, api_client
from services.reports.clients.surveys import SurveysClient, surveys_client
from services.reports.indicator_values.router import scope_resolver
from services.reports.pd_order import catalogue, service
from services.reports.pd_order.schemas import (
    IndividualRouteRead,
    PdOrderRead,
    PdProgrammeCreate,
    PdProgrammeRead,
    PdProgrammeUpdate,
)
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
from shared.identity import Caller
from shared.owners import Owners
from shared.pagination import Page, PaginationDep
from shared.scope import HttpScopeResolver

router = APIRouter(tags=["pd order"])
ERRORS = error_responses(Unauthorized, Forbidden, NotFound, Invalid, Conflict)
READ_ERRORS = error_responses(Unauthorized, Forbidden, NotFound, Invalid, PeerUnavailable)
Api = Annotated[ApiClient, Depends(api_client)]
ScopeResolverDep = Annotated[HttpScopeResolver, Depends(scope_resolver)]
Period = Annotated[str, Query(max_length=20, description="2021/2022")]


@router.get("/pd-programmes", responses=ERRORS)
async def list_programmes(
    session: SessionDep,
    caller: Caller,
    scopes: ScopeResolverDep,
    page: PaginationDep,
    active: bool | None = None,
    competence: Annotated[
        str | None, Query(max_length=80, description="Программы, направленные на компетенцию")
    ] = None,
) -> Page[PdProgrammeRead]:
    """The PD programmes (ЦНППМ, ИРО, ИМЦ) the caller sees, by code, each with its owner: the
    global catalogue, those of the caller's territory and above, and of territories under it."""
    items, total = await catalogue.list_programmes(
        session, Owners(caller, scopes), page, active=active, competence=competence
    )
    return Page(items=[PdProgrammeRead.model_validate(p) for p in items], total=total)


@router.post("/pd-programmes", status_code=201, responses=ERRORS)
async def create_programme(
    body: PdProgrammeCreate, session: SessionDep, caller: Caller, scopes: ScopeResolverDep, api: Api
) -> PdProgrammeRead:
    """Add a programme: an analyst's or methodologist's is their territory's own
    (`owner_territory_id` inside their scope, else 404); the global catalogue is the
    administrators'. 403 for other roles, 409 when the code is taken."""
    programme = await catalogue.create_programme(session, Owners(caller, scopes), body)
    read = PdProgrammeRead.model_validate(programme)
    await api.audit("create", "pd_programme", str(read.id), body.model_dump(mode="json"))
    return read


@router.get("/pd-programmes/{programme_id}", responses=ERRORS)
async def get_programme(
    programme_id: uuid.UUID, session: SessionDep, caller: Caller, scopes: ScopeResolverDep
) -> PdProgrammeRead:
    """One programme the caller sees (404 otherwise)."""
    programme = await catalogue.get_programme(session, Owners(caller, scopes), programme_id)
    return PdProgrammeRead.model_validate(programme)


@router.patch("/pd-programmes/{programme_id}", responses=ERRORS)
async def update_programme(
    programme_id: uuid.UUID,
    body: PdProgrammeUpdate,
    session: SessionDep,
    caller: Caller,
    scopes: ScopeResolverDep,
    api: Api,
) -> PdProgrammeRead:
    """Change a programme: the global catalogue an administrator, a territory's own programme
    its analysts and methodologists (and those above); 403 for others who see it, 404 for
    those who do not, 409 for a taken code."""
    owners = Owners(caller, scopes)
    programme = await catalogue.update_programme(session, owners, programme_id, body)
    changes = body.model_dump(mode="json", exclude_unset=True)
    await api.audit("update", "pd_programme", str(programme_id), changes)
    return PdProgrammeRead.model_validate(programme)


@router.delete("/pd-programmes/{programme_id}", status_code=204, responses=ERRORS)
async def delete_programme(
    programme_id: uuid.UUID, session: SessionDep, caller: Caller, scopes: ScopeResolverDep, api: Api
) -> None:
    """Remove a programme (who may: as for PATCH); one of the default catalogue is deactivated
    instead (it would come back at the next start). Routes already built keep their copy."""
    await catalogue.delete_programme(session, Owners(caller, scopes), programme_id)
    await api.audit("delete", "pd_programme", str(programme_id), {})


@router.get("/pd-order", responses=READ_ERRORS)
async def get_pd_order(
    request: Request,
    session: SessionDep,
    caller: Caller,
    api: Api,
    surveys: Annotated[SurveysClient, Depends(surveys_client)],
    scopes: ScopeResolverDep,
    territory_id: uuid.UUID,
    period: Period,
) -> PdOrderRead:
    """The PD order (план-заказ): seats per programme per organization of the territory, from
    the teachers' individual routes. A methodologist's request rebuilds the routes from the
    diagnostics of the period first; others see the order last built (no names, no scores),
    and unless they may read personal results, the schools of fewer diagnosed teachers than
    the disclosure minimum folded into «другие организации» (or no order at all, `suppressed`,
    when the territory has so few)."""
    minimum = request.app.state.settings.disclosure_minimum
    result = await service.pd_order(
        session, caller, scopes, api, surveys, territory_id, period, minimum
    )
    return PdOrderRead.model_validate(result)


@router.get("/individual-routes", responses=READ_ERRORS)
async def list_individual_routes(
    session: SessionDep,
    caller: Caller,
    api: Api,
    scopes: ScopeResolverDep,
    page: PaginationDep,
    period: Annotated[str | None, Query(max_length=20, description="2021/2022")] = None,
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
    return Page(items=[IndividualRouteRead.model_validate(r) for r in items], total=total)
