"""HTTP: /v1/roadmaps and /v1/activities."""

import uuid
from datetime import date
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile

from services.api.access import ORGANIZATION_MANAGERS, Access
from services.api.auth.deps import allowed
from services.api.deps import AccessDep, ReadableRoadmap
from services.api.roadmaps import service, tracking
from services.api.roadmaps.answers import activity_read, detail
from services.api.roadmaps.document_import.service import import_roadmaps
from services.api.roadmaps.models import Roadmap
from services.api.roadmaps.schemas import (
    ActivityFilters,
    ActivityRead,
    ActivityUpdate,
    FileRead,
    ImportAnswer,
    Level,
    OwnerType,
    RoadmapCreate,
    RoadmapDetail,
    RoadmapProgress,
    RoadmapRead,
    RoadmapUpdate,
    StatusChangeRead,
)
from shared import etag
from shared.db import SessionDep
from shared.errors import Conflict, Forbidden, Invalid, NotFound, error_responses
from shared.pagination import Page, Pagination, PaginationDep
from shared.periods import PROGRAMME_PERIOD_DESCRIPTION, OptionalProgrammePeriodQuery
from shared.uploads import UploadLimitsDep, UploadTooLarge, read_upload
from shared.validation import ReportedDate

router = APIRouter(tags=["roadmaps"])
ERRORS = error_responses(Forbidden, NotFound, Invalid)
UPLOAD_ERRORS = error_responses(Forbidden, NotFound, Invalid, UploadTooLarge)
IMPORT_ERRORS = error_responses(Forbidden, NotFound, Conflict, Invalid, UploadTooLarge)
ROADMAP = etag.Versioned.of(Roadmap)
ACTIVITY = tracking.STATE
AsOf = Annotated[
    ReportedDate | None, Query(description="The day overdue is counted at (default: today)")
]


def _today(request: Request, as_of: date | None = None) -> date:
    return as_of or request.app.state.settings.today()


@router.post(
    "/roadmaps", status_code=201, responses=ERRORS, dependencies=[allowed(*ORGANIZATION_MANAGERS)]
)
async def create_roadmap(body: RoadmapCreate, request: Request, access: AccessDep) -> RoadmapDetail:
    """A roadmap with sections and activities; each deadline is parsed into a window."""
    roadmap = await service.create_roadmap(access, body)
    return await detail(access.session, roadmap, _today(request))


@router.post(
    "/roadmaps/import",
    status_code=201,
    responses=IMPORT_ERRORS | {200: {"description": "A dry run: what would be created"}},
    dependencies=[allowed(*ORGANIZATION_MANAGERS)],
)
async def import_roadmap(
    file: Annotated[UploadFile, File(description=".docx, .xlsx, .csv or .txt")],
    level: Annotated[Level, Form()],
    owner_type: Annotated[OwnerType, Form()],
    owner_id: Annotated[uuid.UUID, Form()],
    request: Request,
    response: Response,
    access: AccessDep,
    limits: UploadLimitsDep,
    period: Annotated[
        str | None,
        Form(description=f"{PROGRAMME_PERIOD_DESCRIPTION}. By default: from the heading"),
    ] = None,
    dry_run: Annotated[
        bool, Query(description="Check and answer what would be created (200), store nothing")
    ] = False,
    duplicate: Annotated[
        bool, Query(description="Import even when the same roadmap exists (otherwise 409)")
    ] = False,
) -> ImportAnswer:
    """Import the activity tables of a document; a document with several roadmaps gives
    several (201). `roadmap` is the first in full, `roadmaps` all of them; `report` says what
    was found, skipped and not parsed; `dry_run` whether this was one (200, nothing stored).

    409 when a roadmap with the same title, level, owner and period exists (`existing` lists
    `{id, title, period}`; `duplicate=true` imports anyway). Read within the upload limits:
    413 past the file size, 422 naming any other limit."""
    answer = await import_roadmaps(
        access,
        upload=await read_upload(file, limits),
        level=level,
        owner_type=owner_type,
        owner_id=owner_id,
        period=period,
        as_of=_today(request),
        dry_run=dry_run,
        duplicate=duplicate,
    )
    if dry_run:
        response.status_code = 200
    return answer


@router.get("/roadmaps", responses=ERRORS)
async def list_roadmaps(
    access: AccessDep,
    page: PaginationDep,
    period: OptionalProgrammePeriodQuery,
    level: Level | None = None,
    owner_id: uuid.UUID | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[RoadmapRead]:
    items, total = await service.list_roadmaps(
        access, page, level=level, owner_id=owner_id, period=period, q=q
    )
    return Page(items=[RoadmapRead.model_validate(r) for r in items], total=total)


@router.get("/roadmaps/{roadmap_id}", responses=ERRORS | etag.TAGGED)
async def get_roadmap(
    roadmap: ReadableRoadmap,
    request: Request,
    response: Response,
    session: SessionDep,
    as_of: AsOf = None,
) -> RoadmapDetail:
    """The roadmap with its sections and activities; `ETag` validates the roadmap's own fields
    (what its PATCH changes), for `If-Match`."""
    await etag.tag_response(response, session, ROADMAP, roadmap.id)
    return await detail(session, roadmap, _today(request, as_of))


@router.patch(
    "/roadmaps/{roadmap_id}",
    responses=ERRORS | etag.CONDITIONAL,
    dependencies=[allowed(*ORGANIZATION_MANAGERS)],
)
async def update_roadmap(
    roadmap_id: uuid.UUID,
    body: RoadmapUpdate,
    request: Request,
    response: Response,
    access: AccessDep,
    if_match: etag.IfMatchDep,
) -> RoadmapDetail:
    """Title, passport, period; with `If-Match` only if the roadmap is unchanged since (412
    otherwise, nothing changed). Answers the new `ETag`."""
    async with etag.precondition(access.session, ROADMAP, roadmap_id, if_match, response):
        roadmap = await service.update_roadmap(access, roadmap_id, body)
    return await detail(access.session, roadmap, _today(request))


@router.get("/roadmaps/{roadmap_id}/progress", responses=ERRORS)
async def roadmap_progress(
    roadmap_id: uuid.UUID,
    request: Request,
    access: AccessDep,
    as_of: AsOf = None,
    due_soon_days: Annotated[int, Query(ge=0, le=366)] = 14,
) -> RoadmapProgress:
    """Done, done on time, overdue and due soon: per section and for the whole roadmap."""
    return await tracking.progress(access, roadmap_id, _today(request, as_of), due_soon_days)


async def _activities(
    request: Request,
    access: Access,
    page: Pagination,
    roadmap_id: uuid.UUID | None,
    filters: ActivityFilters,
) -> Page[ActivityRead]:
    as_of = _today(request, filters.as_of)
    items, total = await tracking.list_activities(
        access,
        page,
        roadmap_id=roadmap_id,
        **filters.model_dump(exclude={"as_of"}),
        as_of=as_of,
    )
    return Page(items=[activity_read(a, as_of) for a in items], total=total)


@router.get("/roadmaps/{roadmap_id}/activities", responses=ERRORS)
async def list_roadmap_activities(
    roadmap_id: uuid.UUID,
    request: Request,
    access: AccessDep,
    page: PaginationDep,
    filters: Annotated[ActivityFilters, Query()],
) -> Page[ActivityRead]:
    """Filter by status, overdue, responsible organization, due window, due in N days."""
    return await _activities(request, access, page, roadmap_id, filters)


@router.get("/activities", responses=ERRORS)
async def list_activities(
    request: Request,
    access: AccessDep,
    page: PaginationDep,
    filters: Annotated[ActivityFilters, Query()],
) -> Page[ActivityRead]:
    """Activities of every roadmap that names an organization as responsible."""
    return await _activities(request, access, page, None, filters)


@router.get("/activities/{activity_id}", responses=ERRORS | etag.TAGGED)
async def get_activity(
    activity_id: uuid.UUID, request: Request, response: Response, access: AccessDep
) -> ActivityRead:
    """One activity of a roadmap the caller reads (404 otherwise), with its `ETag`."""
    activity = await tracking.get_activity(access, activity_id)
    await etag.tag_response(response, access.session, ACTIVITY, activity.id)
    return activity_read(activity, _today(request))


@router.patch(
    "/activities/{activity_id}",
    responses=ERRORS | etag.CONDITIONAL,
    dependencies=[allowed(*ORGANIZATION_MANAGERS)],
)
async def update_activity(
    activity_id: uuid.UUID,
    body: ActivityUpdate,
    request: Request,
    response: Response,
    access: AccessDep,
    if_match: etag.IfMatchDep,
) -> ActivityRead:
    """Status (with history) and evidence links; the leader of a responsible school may too.
    With `If-Match` only if the activity is unchanged since (412 otherwise, nothing changed).
    Answers the new `ETag`."""
    today = _today(request)
    async with etag.precondition(access.session, ACTIVITY, activity_id, if_match, response):
        activity = await tracking.update_activity(access, activity_id, body, today)
    return activity_read(activity, today)


@router.get("/activities/{activity_id}/history", responses=ERRORS)
async def activity_history(
    activity_id: uuid.UUID, access: AccessDep, page: PaginationDep
) -> Page[StatusChangeRead]:
    """`{items, total}`: the activity's status changes in the order they were made, `limit`
    (default 50, at most 500) from `offset`. 404 for an activity the caller does not read,
    422 naming `limit` or `offset` out of range."""
    changes, total = await tracking.history(access, activity_id, page)
    return Page(items=[StatusChangeRead.model_validate(c) for c in changes], total=total)


@router.post(
    "/activities/{activity_id}/files",
    status_code=201,
    responses=UPLOAD_ERRORS,
    dependencies=[allowed(*ORGANIZATION_MANAGERS)],
)
async def upload_file(
    activity_id: uuid.UUID,
    file: Annotated[UploadFile, File()],
    access: AccessDep,
    limits: UploadLimitsDep,
) -> FileRead:
    """A document that confirms the activity was done (up to SOKO_UPLOAD_MAX_BYTES, 20 MB by
    default: 413 past it; stored as it is, never parsed)."""
    stored = await tracking.add_file(
        access,
        activity_id,
        file.filename or "file",
        file.content_type or "",
        (await read_upload(file, limits)).content,
    )
    return FileRead.model_validate(stored)


@router.get("/activities/{activity_id}/files", responses=ERRORS)
async def list_files(
    activity_id: uuid.UUID, access: AccessDep, page: PaginationDep
) -> Page[FileRead]:
    """`{items, total}`: the files attached to the activity as evidence (names, sizes, never
    the content), oldest first, `limit` (default 50, at most 500) from `offset`. 404 for an
    activity the caller does not read, 422 naming `limit` or `offset` out of range."""
    files, total = await tracking.files_page(access, activity_id, page)
    return Page(items=[FileRead.model_validate(f) for f in files], total=total)


@router.delete(
    "/activities/{activity_id}/files/{file_id}",
    status_code=204,
    responses=ERRORS,
    dependencies=[allowed(*ORGANIZATION_MANAGERS)],
)
async def delete_file(activity_id: uuid.UUID, file_id: uuid.UUID, access: AccessDep) -> Response:
    """Remove a file attached as evidence (204): whoever may change the activity (the
    leader of a responsible school, the roadmap owner's analysts; 403 for other readers), 404
    for an activity not read or a file not of it. Audited."""
    await tracking.remove_file(access, activity_id, file_id)
    return Response(status_code=204)


@router.get(
    "/activities/{activity_id}/files/{file_id}",
    responses={
        **ERRORS,
        200: {"description": "The file, with its content type", "content": {"*/*": {}}},
    },
)
async def download_file(
    activity_id: uuid.UUID,
    file_id: uuid.UUID,
    access: AccessDep,
) -> Response:
    stored = await tracking.get_file(access, activity_id, file_id)
    disposition = f"attachment; filename*=UTF-8''{quote(stored.file_name, safe='')}"
    return Response(
        stored.content, media_type=stored.content_type, headers={"Content-Disposition": disposition}
    )
