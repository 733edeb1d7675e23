"""HTTP: /v1/assessment-tasks, /v1/assessment-results/participants and the aggregates over
participants (task completion, score distribution, marks by class)."""

import uuid
from collections.abc import Awaitable
from dataclasses import replace
from typing import Annotated, NamedTuple, TypeVar

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.access import FIGURE_WRITERS
from services.api.assessment_tasks import completion, distributions, participants, service
from services.api.assessment_tasks.schemas import (
    CompletionRead,
    DistributionRead,
    MarksByClassRead,
    ParticipantList,
    ParticipantsHeader,
    ParticipantsIn,
    SpecificationCreate,
    SpecificationRead,
)
from services.api.assessments.catalogue import admin_only
from services.api.assessments.schemas import Grade
from services.api.auth.deps import Caller, CallerOrKey, ScopeResolverDep, allowed, gate
from services.api.territories.scope import DbScopeResolver
from shared import bulk, bulk_http
from shared.db import SessionDep
from shared.errors import Conflict, Forbidden, Invalid, NotFound, error_responses
from shared.identity import Principal
from shared.pagination import Page, Pagination, PaginationDep
from shared.periods import WRITTEN_PERIOD_MAX
from shared.school_years import OptionalYearQuery, YearQuery
from shared.uploads import UploadLimitsDep, UploadTooLarge, read_upload
from shared.validation_messages import russian_message

router = APIRouter(tags=["assessment tasks"])
T = TypeVar("T")
ERRORS = error_responses(Forbidden, NotFound, Invalid, Conflict)
UPLOAD_ERRORS = error_responses(Forbidden, NotFound, Invalid, Conflict, UploadTooLarge)
Text = Annotated[str | None, Query(max_length=100)]
UPLOAD_COLUMNS = (
    "CSV or XLSX, one row per participant: «Код участника» (code), «Класс» (class), «Вариант» "
    "(variant), «Отметка по журналу» (journal mark) and a column per task headed by its number "
    "(«1», «3.1», «1К1»)"
)


@router.post(
    "/assessment-tasks", status_code=201, responses=ERRORS, dependencies=[gate(admin_only)]
)
async def create_specification(
    body: SpecificationCreate, response: Response, session: SessionDep, caller: Caller
) -> SpecificationRead:
    """A procedure's task specification for a year, subject and grade (administrators): 201
    with the new version, or 200 with the latest one when it is the same. 422 names the
    field: an unknown procedure or subject, a task number not as printed (1, 3.1, 1К1) or
    repeated, a mark scale not 2–5 rising from 0 to at most the sum of the maximum scores."""
    spec, created = await service.create_specification(session, caller, body)
    if not created:
        response.status_code = 200
    return spec


@router.get("/assessment-tasks", responses=ERRORS)
async def list_specifications(
    session: SessionDep,
    caller: Caller,
    page: PaginationDep,
    year: OptionalYearQuery,
    procedure: Annotated[str | None, Query(max_length=40)] = None,
    subject: Text = None,
    grade: Annotated[int | None, Query(ge=1, le=11)] = None,
    all_versions: bool = False,
) -> Page[SpecificationRead]:
    """The catalogue of task specifications: the latest version of each (every version with
    `all_versions`); anyone signed in reads it. `year` may be written as people write it
    («2024-2025» is 2024/2025); a year that is none («2025-2024») is a 422 naming it."""
    code = year.code if year else None
    filters = service.SpecificationFilter(procedure, code, subject, grade, all_versions)
    items, total = await service.list_specifications(session, page, filters)
    return Page(items=items, total=total)


@router.post(
    "/assessment-results/participants",
    response_model=bulk.ImportSummary,
    responses=ERRORS,
    dependencies=[allowed(*FIGURE_WRITERS, keys=True)],
)
async def post_participants(
    body: ParticipantsIn,
    request: Request,
    session: SessionDep,
    caller: CallerOrKey,
    scopes: ScopeResolverDep,
    dry_run: bulk_http.DryRun = False,
    idempotency_key: bulk_http.IdempotencyKey = None,
) -> bulk.ImportSummary | JSONResponse:
    """One school's participants by task (the whole set: participants it does not name are
    removed), checked against the task specification; the school's summary result is derived
    from them. Same writers as assessment results (a school leader or information system for
    their own school, the territory's analysts): 403 for another role, 404 for a school
    outside the caller's scope, 422 for a procedure, subject or year without a specification.
    A participant is rejected naming it and the task: a score above the maximum, an unknown
    or a missing task, a code that reads as a name; then nothing is stored or removed (the
    set is taken whole or not at all, said in `warnings`). Concurrent posts of one school's
    set are written one after another. `procedure` may be a name or abbreviation («ВПР»)."""
    importer = participants.ParticipantImporter(session, scopes, caller, body)
    await importer.prepare()
    return await bulk_http.import_posted(
        session,
        importer,
        body.participants,
        dry_run=dry_run,
        request=request,
        idempotency_key=idempotency_key,
    )


@router.post(
    "/assessment-results/participants/upload",
    response_model=bulk.ImportSummary,
    responses=UPLOAD_ERRORS,
    dependencies=[allowed(*FIGURE_WRITERS, keys=True)],
)
async def upload_participants(
    file: Annotated[UploadFile, File(description=UPLOAD_COLUMNS)],
    organization_id: Annotated[uuid.UUID, Form()],
    procedure: Annotated[str, Form(max_length=100)],
    year: Annotated[str, Form(max_length=WRITTEN_PERIOD_MAX)],
    subject: Annotated[str, Form(max_length=100)],
    grade: Annotated[int, Form(ge=1, le=11)],
    request: Request,
    session: SessionDep,
    caller: CallerOrKey,
    scopes: ScopeResolverDep,
    limits: UploadLimitsDep,
    dry_run: bulk_http.DryRun = False,
    idempotency_key: bulk_http.IdempotencyKey = None,
) -> bulk.ImportSummary | JSONResponse:
    """The same as the post, from the per-participant spreadsheet (.csv or .xlsx, one row per
    participant); `index` in `rejected` is the row of the file. The school, procedure, year,
    subject and grade are form fields; a refused one is a 422 naming it, in Russian. The year
    may be written as people write it («2024-2025», «2024/25», «2024–2025 учебный год»): it
    is read as its code (2024/2025), said in `warnings`."""
    fields = {"procedure": procedure, "year": year, "subject": subject, "grade": grade}
    try:
        header = ParticipantsHeader(organization_id=organization_id, **fields)
    except ValidationError as exc:
        errors = [{"loc": ["form", *e["loc"]], "msg": russian_message(e)} for e in exc.errors()]
        raise Invalid(errors[0]["msg"], errors=errors) from exc
    importer = participants.ParticipantImporter(session, scopes, caller, header, where="form")
    await importer.prepare()
    upload = await read_upload(file, limits)
    return await bulk_http.import_uploaded(
        session,
        importer,
        upload,
        dry_run=dry_run,
        request=request,
        idempotency_key=idempotency_key,
        form={"organization_id": organization_id, **fields},
    )


@router.get("/assessment-results/participants", responses=ERRORS)
async def list_participants(
    session: SessionDep,
    caller: Caller,
    scopes: ScopeResolverDep,
    organization_id: uuid.UUID,
    procedure: Annotated[str, Query(max_length=40)],
    year: Annotated[str, Query(max_length=WRITTEN_PERIOD_MAX)],
    subject: Annotated[str, Query(max_length=100)],
    grade: Annotated[Grade, Query()],
) -> ParticipantList:
    """One school's participants (codes, scores by task, marks); 404 outside the caller's
    scope."""
    items = await participants.list_participants(
        session, scopes, caller, organization_id, procedure, year, subject, grade
    )
    return ParticipantList(items=items, total=len(items))


def paper_filter(
    procedure: Annotated[str, Query(max_length=40, description="Procedure code: vpr, oge, ...")],
    year: YearQuery,
    subject: Annotated[str, Query(max_length=100)],
    grade: Annotated[Grade, Query()],
    territory_id: Annotated[
        uuid.UUID | None, Query(description="This territory and the territories under it")
    ] = None,
) -> completion.CompletionFilter:
    """The query of the aggregates over participants: the paper and, optionally, a territory;
    `year` as people write it («2024-2025» is 2024/2025), a 422 naming it when it is none."""
    return completion.CompletionFilter(
        procedure, year.code, subject, grade, territory_id=territory_id
    )


PaperFilter = Annotated[completion.CompletionFilter, Depends(paper_filter)]


class Aggregate(NamedTuple):
    """What an aggregate over participants is computed from, in the order its functions take."""

    session: AsyncSession
    scopes: DbScopeResolver
    principal: Principal
    page: Pagination
    filters: completion.CompletionFilter


def by_organization(
    session: SessionDep,
    caller: Caller,
    scopes: ScopeResolverDep,
    page: PaginationDep,
    paper: PaperFilter,
) -> Aggregate:
    """An aggregate per organization."""
    return Aggregate(session, scopes, caller, page, paper)


def grouped(
    query: Annotated[Aggregate, Depends(by_organization)],
    group_by: completion.CompletionGroup = "organization",
) -> Aggregate:
    """An aggregate per organization, cluster or territory (`group_by`)."""
    return query._replace(filters=replace(query.filters, group_by=group_by))


Grouped = Annotated[Aggregate, Depends(grouped)]
PerOrganization = Annotated[Aggregate, Depends(by_organization)]


async def paged(found: Awaitable[tuple[list[T], int]]) -> Page[T]:
    """The page of an aggregate from its items and their total."""
    items, total = await found
    return Page(items=items, total=total)


@router.get("/assessment-results/task-completion", responses=ERRORS)
async def task_completion(query: Grouped) -> Page[CompletionRead]:
    """Each task's completion (Σ scores / (maximum × participants) × 100) per organization,
    cluster or territory (the organization's own), over the participants of the caller's
    organizations; `territory_id` keeps those of that territory and the ones under it."""
    return await paged(completion.task_completion(*query))


@router.get("/assessment-results/score-distribution", responses=ERRORS)
async def score_distribution(query: Grouped) -> Page[DistributionRead]:
    """Participants per primary score (`scores`: [{score, participants}], rising) with the
    specification's maximum and mark scale, per organization, cluster or territory, over the
    participants of the caller's organizations; filters and 422s as for task completion."""
    return await paged(distributions.score_distribution(*query))


@router.get("/assessment-results/marks-by-class", responses=ERRORS)
async def marks_by_class(query: PerOrganization) -> Page[MarksByClassRead]:
    """Per organization of the caller's, per class: participants, counts of marks 2–5 and the
    comparison with the journal (lowered, confirmed, raised); `territory_id` keeps the
    organizations of that territory and the ones under it; 422s as for task completion."""
    return await paged(distributions.marks_by_class(*query))
