"""HTTP: /v1/organizations/{id}/staff and /v1/staff/{id}."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from services.api.access import ORGANIZATION_MANAGERS, PERSONAL_READERS
from services.api.auth.deps import AccessDep, allowed
from services.api.staff import service
from services.api.staff.models import StaffMember
from services.api.staff.schemas import Position, StaffCreate, StaffRead, StaffUpdate
from shared import etag
from shared.errors import Forbidden, NotFound, error_responses
from shared.pagination import Page, PaginationDep

router = APIRouter(tags=["staff"])
ERRORS = error_responses(Forbidden, NotFound)
STAFF = etag.Versioned.of(StaffMember)


@router.post(
    "/organizations/{organization_id}/staff",
    status_code=201,
    responses=ERRORS,
    dependencies=[allowed(*ORGANIZATION_MANAGERS)],
)
async def create_staff(
    organization_id: uuid.UUID, body: StaffCreate, access: AccessDep
) -> StaffRead:
    member = await service.create_staff(access, organization_id, body)
    return StaffRead.model_validate(member)


@router.get(
    "/organizations/{organization_id}/staff",
    responses=ERRORS,
    dependencies=[allowed(*PERSONAL_READERS)],
)
async def list_staff(
    organization_id: uuid.UUID,
    access: AccessDep,
    page: PaginationDep,
    position: Position | None = None,
    active: bool | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[StaffRead]:
    items, total = await service.list_staff(
        access, organization_id, page, position=position, active=active, q=q
    )
    return Page(items=[StaffRead.model_validate(m) for m in items], total=total)


@router.get("/staff/{staff_id}", responses=ERRORS | etag.TAGGED)
async def get_staff(staff_id: uuid.UUID, access: AccessDep, response: Response) -> StaffRead:
    """One staff member the caller may read (404 otherwise), with its `ETag`."""
    member = await service.get_staff(access, staff_id)
    await etag.tag_response(response, access.session, STAFF, member.id)
    return StaffRead.model_validate(member)


@router.patch(
    "/staff/{staff_id}",
    responses=ERRORS | etag.CONDITIONAL,
    dependencies=[allowed(*ORGANIZATION_MANAGERS)],
)
async def update_staff(
    staff_id: uuid.UUID,
    body: StaffUpdate,
    access: AccessDep,
    response: Response,
    if_match: etag.IfMatchDep,
) -> StaffRead:
    """Change a staff member's record. With `If-Match` only if it is unchanged since (412 otherwise,
    nothing changed); answers the new `ETag`."""
    async with etag.precondition(access.session, STAFF, staff_id, if_match, response):
        member = await service.update_staff(access, staff_id, body)
    return StaffRead.model_validate(member)
