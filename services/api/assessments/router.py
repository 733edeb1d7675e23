"""HTTP: /v1/assessment-procedures, /v1/assessment-calendar, /v1/assessment-results."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.api.access import FIGURE_WRITERS, ORGANIZATION_MANAGERS
from services.api.assessments import catalogue, results, service
from services.api.assessments.catalogue import admin_only
from services.api.assessments.schemas import (
    AggregateRead,
    ConflictRead,
    EventCreate,
    EventRead,
    GroupBy,
    ProcedureCreate,
    ProcedureKind,
    ProcedureRead,
    ResultRead,
    ResultsIn,
    SubjectCreate,
    SubjectRead,
)
from services.api.auth.deps import Caller, CallerOrKey, ScopeResolverDep, allowed, gate
from shared import bulk_http
from shared.db import SessionDep
from shared.errors import Conflict, Forbidden, Invalid, NotFound, error_responses
from shared.pagination import Page, PaginationDep
from shared.school_years import OptionalYearQuery, YearQuery
from shared.uploads import UploadTooLarge
from shared.validation import ReportedDate

router = APIRouter(tags=["assessments"])
ERRORS = error_responses(Forbidden, NotFound, Invalid, Conflict)
UPLOAD_ERRORS = error_responses(Forbidden, NotFound, Invalid, Conflict, UploadTooLarge)
Procedure = Annotated[str | None, Query(max_length=40, description="Procedure code: vpr, oge, ...")]
From = Annotated[ReportedDate | None, Query(alias="from", description="From this date")]
To = Annotated[ReportedDate | None, Query(alias="to", description="Up to this date, inclusive")]


def calendar_filter(
    organization_id: uuid.UUID | None = None,
    territory_id: uuid.UUID | None = None,
    date_from: From = None,
    date_to: To = None,
    procedure: Procedure = None,
) -> service.CalendarFilter:
    """The query parameters that narrow the assessment calendar (a dependency)."""
    return service.CalendarFilter(organization_id, territory_id, date_from, date_to, procedure)


CalendarFilterDep = Annotated[service.CalendarFilter, Depends(calendar_filter)]
UPLOAD_COLUMNS = (
    "CSV or XLSX: organization_id, procedure, year, subject, grade, participants, mark_2, "
    "mark_3, mark_4, mark_5, lowered, confirmed, raised, mean_score and, if any, score_<score>"
)


@router.get("/assessment-procedures", responses=ERRORS)
async def list_procedures(
    session: SessionDep, caller: Caller, page: PaginationDep, kind: ProcedureKind | None = None
) -> Page[ProcedureRead]:
    """The catalogue: procedures with their subjects and maximum primary scores."""
    items, total = await catalogue.list_procedures(session, page, kind=kind)
    return Page(items=items, total=total)


@router.post(
    "/assessment-procedures", status_code=201, responses=ERRORS, dependencies=[gate(admin_only)]
)
async def create_procedure(
    body: ProcedureCreate, session: SessionDep, caller: Caller
) -> ProcedureRead:
    """Add a regional or municipal diagnostic (administrators)."""
    return await catalogue.create_procedure(session, caller, body)


@router.post(
    "/assessment-procedures/{procedure_id}/subjects",
    status_code=201,
    responses=ERRORS,
    dependencies=[gate(admin_only)],
)
async def add_subject(
    procedure_id: uuid.UUID, body: SubjectCreate, session: SessionDep, caller: Caller
) -> SubjectRead:
    """Add a subject and grade to a procedure (administrators)."""
    return await catalogue.add_subject(session, caller, procedure_id, body)


@router.post(
    "/assessment-calendar",
    status_code=201,
    responses=ERRORS,
    dependencies=[allowed(*ORGANIZATION_MANAGERS)],
)
async def create_event(
    body: EventCreate, session: SessionDep, caller: Caller, scopes: ScopeResolverDep
) -> EventRead:
    """Plan an assessment in a school; the answer lists the events it conflicts with."""
    return await service.create_event(session, scopes, caller, body)


@router.get("/assessment-calendar", responses=ERRORS)
async def list_events(
    session: SessionDep,
    caller: Caller,
    scopes: ScopeResolverDep,
    filters: CalendarFilterDep,
    page: PaginationDep,
) -> Page[EventRead]:
    """Events by date; two assessments of one class on one day are each other's conflicts."""
    items, total = await service.list_events(session, scopes, caller, page, filters)
    return Page(items=items, total=total)


@router.get("/assessment-calendar/conflicts", responses=ERRORS)
async def list_conflicts(
    session: SessionDep,
    caller: Caller,
    scopes: ScopeResolverDep,
    filters: CalendarFilterDep,
    page: PaginationDep,
) -> Page[ConflictRead]:
    """Only the conflicting pairs, each once."""
    items, total = await service.list_conflicts(session, scopes, caller, page, filters)
    return Page(items=items, total=total)


bulk_http.add_import_routes(
    router,
    "/assessment-results",
    body=ResultsIn,
    importer=results.ResultImporter,
    caller=CallerOrKey,
    scopes=ScopeResolverDep,
    dependencies=[allowed(*FIGURE_WRITERS, keys=True)],
    names=("post_results", "upload_results"),
    columns=UPLOAD_COLUMNS,
    responses=(ERRORS, UPLOAD_ERRORS),
)


@router.get("/assessment-results", responses=ERRORS)
async def list_results(
    session: SessionDep,
    caller: Caller,
    scopes: ScopeResolverDep,
    page: PaginationDep,
    asked_year: OptionalYearQuery,
    organization_id: uuid.UUID | None = None,
    territory_id: uuid.UUID | None = None,
    procedure: Procedure = None,
    subject: Annotated[str | None, Query(max_length=100)] = None,
    grade: Annotated[int | None, Query(ge=1, le=11)] = None,
) -> Page[ResultRead]:
    """Results of the caller's organizations; `territory_id` includes the territories under it.
    `year` may be written as people write it («2024-2025» is 2024/2025); a year that is none
    («2025-2024») is a 422 naming it, in Russian."""
    year = asked_year.code if asked_year else None
    filters = results.ResultFilter(organization_id, territory_id, procedure, year, subject, grade)
    items, total = await results.list_results(session, scopes, caller, page, filters)
    return Page(items=items, total=total)


@router.get("/assessment-results/aggregates", responses=ERRORS)
async def aggregate_results(
    session: SessionDep,
    caller: Caller,
    scopes: ScopeResolverDep,
    page: PaginationDep,
    procedure: Annotated[str, Query(max_length=40, description="Procedure code")],
    year: YearQuery,
    subject: Annotated[str | None, Query(max_length=100)] = None,
    grade: Annotated[int | None, Query(ge=1, le=11)] = None,
    territory_id: uuid.UUID | None = None,
    group_by: GroupBy = "organization",
) -> Page[AggregateRead]:
    """Per organization or territory, subject and grade: counts summed and the pooled mean
    score, over the caller's organizations only (the reports service's source). `year` as
    for the results' list (`shared.school_years`)."""
    filters = results.ResultFilter(None, territory_id, procedure, year.code, subject, grade)
    items, total = await results.aggregate(session, scopes, caller, page, filters, group_by)
    return Page(items=items, total=total)
