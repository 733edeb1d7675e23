"""HTTP: /v1/collections (data collections), their status and the approval of their data."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from services.api.access import MANAGERS, Access
from services.api.auth.deps import AccessDep, allowed, gate
from services.api.collections import approvals, service, status
from services.api.collections.approvals import school_step, territory_step
from services.api.collections.models import Collection, CollectionWindow
from services.api.collections.schemas import (
    ApprovalRead,
    ApprovalStatus,
    ApprovalStep,
    ApprovalStepAnswer,
    ApprovalStepRead,
    CollectionCreate,
    CollectionRead,
    CollectionStatus,
    CollectionUpdate,
)
from services.api.collections.service import READERS
from shared import etag
from shared.errors import Conflict, Forbidden, Invalid, NotFound, error_responses
from shared.pagination import Page, PaginationDep
from shared.periods import OptionalPeriodQuery, PeriodQuery

router = APIRouter(tags=["data collections"])
ERRORS = error_responses(Forbidden, NotFound, Invalid)
WRITE_ERRORS = error_responses(Forbidden, NotFound, Invalid, Conflict)
# A change writes the collection and replaces its windows; approvals are not its to change.
COLLECTION = etag.Versioned.of(Collection, children=[(CollectionWindow, "collection_id")])


async def _one(access: Access, collection: Collection) -> CollectionRead:
    [read] = await service.read_collections(access.session, [collection])
    return read


@router.post(
    "/collections", status_code=201, responses=WRITE_ERRORS, dependencies=[allowed(*MANAGERS)]
)
async def create_collection(body: CollectionCreate, access: AccessDep) -> CollectionRead:
    """A data collection of a territory: the indicators its organizations (of the kinds given,
    anywhere under it) report, and a reporting window per period. For the territory's
    analysts and administrators; 422 names an unknown indicator or a bad window."""
    return await _one(access, await service.create_collection(access, body))


@router.get("/collections", responses=ERRORS, dependencies=[allowed(*READERS)])
async def list_collections(
    access: AccessDep,
    page: PaginationDep,
    period: OptionalPeriodQuery,
    owner_territory_id: uuid.UUID | None = None,
) -> Page[CollectionRead]:
    """The collections that concern the caller (of their territory, above or below it; a
    school's leader: those its school reports to), newest first; `period`: with a window for
    it."""
    items, total = await service.list_collections(
        access, page, owner_territory_id=owner_territory_id, period=period
    )
    return Page(items=await service.read_collections(access.session, items), total=total)


@router.get("/collections/{collection_id}", responses=ERRORS | etag.TAGGED)
async def get_collection(
    collection_id: uuid.UUID, access: AccessDep, response: Response
) -> CollectionRead:
    """One collection the caller reads (404 otherwise), with its `ETag` (of it and its
    windows)."""
    collection = await service.readable_collection(access, collection_id)
    await etag.tag_response(response, access.session, COLLECTION, collection.id)
    return await _one(access, collection)


@router.patch(
    "/collections/{collection_id}",
    responses=WRITE_ERRORS | etag.CONDITIONAL,
    dependencies=[allowed(*MANAGERS)],
)
async def update_collection(
    collection_id: uuid.UUID,
    body: CollectionUpdate,
    access: AccessDep,
    response: Response,
    if_match: etag.IfMatchDep,
) -> CollectionRead:
    """Change a collection; `windows` replaces them all. 409: the indicators or kinds while
    some organization's data are approved, or dropping a window with approvals. With
    `If-Match` only if the collection is unchanged since (412 otherwise, nothing changed);
    answers the new `ETag`."""
    async with etag.precondition(access.session, COLLECTION, collection_id, if_match, response):
        collection = await service.update_collection(access, collection_id, body)
    return await _one(access, collection)


@router.delete(
    "/collections/{collection_id}",
    status_code=204,
    responses=WRITE_ERRORS,
    dependencies=[allowed(*MANAGERS)],
)
async def delete_collection(collection_id: uuid.UUID, access: AccessDep) -> Response:
    """Delete a collection with its windows and approval history; 409 while some data are
    approved."""
    await service.delete_collection(access, collection_id)
    return Response(status_code=204)


@router.get(
    "/collections/{collection_id}/status", responses=ERRORS, dependencies=[allowed(*READERS)]
)
async def get_collection_status(
    collection_id: uuid.UUID, period: PeriodQuery, access: AccessDep, request: Request
) -> CollectionStatus:
    """Per organization: `completeness` (percent 0-100 of the expected values present),
    `timeliness` (percent first stored by the end of the due date, in the service's time
    zone; a value changed later still counts when first stored in time), `late` (past due and
    incomplete) and the approval state; the territory pooled (sums, not averaged percents).
    Only organizations open during the window are expected (`opened_on` by the due date,
    `closed_on` on or after the opening date); one not open that reported or submitted all
    the same is listed with `expected` 0, never late; others are left out. 422 when the
    collection has no window for `period`."""
    settings = request.app.state.settings
    return await status.collection_status(
        access, collection_id, period, today=settings.today(), timezone=settings.timezone
    )


async def _step(
    request: Request, access: AccessDep, collection_id: uuid.UUID, action: str, body: ApprovalStep
) -> ApprovalStepAnswer:
    today = request.app.state.settings.today()
    return await approvals.take_step(access, collection_id, action, body, today=today)


@router.post(
    "/collections/{collection_id}/approvals/submit",
    responses=WRITE_ERRORS,
    dependencies=[gate(school_step)],
)
async def submit_collection(
    collection_id: uuid.UUID, body: ApprovalStep, access: AccessDep, request: Request
) -> ApprovalStepAnswer:
    """The school's leader submits the organization's data of a period for approval (from
    the window's opening date; again after a return). The values stay unlocked."""
    return await _step(request, access, collection_id, "submit", body)


@router.post(
    "/collections/{collection_id}/approvals/withdraw",
    responses=WRITE_ERRORS,
    dependencies=[gate(school_step)],
)
async def withdraw_collection(
    collection_id: uuid.UUID, body: ApprovalStep, access: AccessDep, request: Request
) -> ApprovalStepAnswer:
    """The school's leader takes back a submission not yet approved (`not_submitted` again;
    an optional `comment` says why), to fix the values or submit later; audited, kept in the
    history. 409 once any level approved the data (they must be unapproved first) or when
    nothing is submitted; another school's data 404."""
    return await _step(request, access, collection_id, "withdraw", body)


@router.post(
    "/collections/{collection_id}/approvals/approve",
    responses=WRITE_ERRORS,
    dependencies=[gate(territory_step)],
)
async def approve_collection(
    collection_id: uuid.UUID, body: ApprovalStep, access: AccessDep, request: Request
) -> ApprovalStepAnswer:
    """An analyst of the next territory of the organization's chain approves (the
    municipality what the school submitted, the region what the municipality approved); the
    values are locked. 409 out of turn."""
    return await _step(request, access, collection_id, "approve", body)


@router.post(
    "/collections/{collection_id}/approvals/return",
    responses=WRITE_ERRORS,
    dependencies=[gate(territory_step)],
)
async def return_collection(
    collection_id: uuid.UUID, body: ApprovalStep, access: AccessDep, request: Request
) -> ApprovalStepAnswer:
    """The level whose turn it is returns the data to the school with a `comment` (required)
    saying what to fix; any approval below is dropped and the values unlocked."""
    return await _step(request, access, collection_id, "return", body)


@router.post(
    "/collections/{collection_id}/approvals/unapprove",
    responses=WRITE_ERRORS,
    dependencies=[gate(territory_step)],
)
async def unapprove_collection(
    collection_id: uuid.UUID, body: ApprovalStep, access: AccessDep, request: Request
) -> ApprovalStepAnswer:
    """Take the top approval back, with the reason in `comment` (required): by the level
    that gave it or the next one. From level 1 the data are submitted again and unlocked."""
    return await _step(request, access, collection_id, "unapprove", body)


@router.get(
    "/collections/{collection_id}/approvals", responses=ERRORS, dependencies=[allowed(*READERS)]
)
async def list_approvals(
    collection_id: uuid.UUID,
    access: AccessDep,
    page: PaginationDep,
    period: OptionalPeriodQuery,
    organization_id: uuid.UUID | None = None,
    approval_status: Annotated[ApprovalStatus | None, Query(alias="status")] = None,
) -> Page[ApprovalRead]:
    """Where each organization's data stand (those in the caller's scope that submitted)."""
    items, total = await approvals.list_approvals(
        access,
        collection_id,
        page,
        period=period,
        organization_id=organization_id,
        status=approval_status,
    )
    return Page(items=items, total=total)


@router.get(
    "/collections/{collection_id}/approvals/history",
    responses=ERRORS,
    dependencies=[allowed(*READERS)],
)
async def approval_history(
    collection_id: uuid.UUID,
    access: AccessDep,
    page: PaginationDep,
    period: OptionalPeriodQuery,
    organization_id: uuid.UUID | None = None,
) -> Page[ApprovalStepRead]:
    """Every approval step, oldest first: action, level and territory, who, when, comment."""
    items, total = await approvals.approval_history(
        access, collection_id, page, organization_id=organization_id, period=period
    )
    return Page(items=[ApprovalStepRead.model_validate(i) for i in items], total=total)
