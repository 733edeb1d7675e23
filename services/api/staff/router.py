"""HTTP: /v1/organizations/{id}/staff and /v1/staff/{id}."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from services.api.auth.deps import AccessDep
from services.api.staff import service
from services.api.staff.schemas import Position, StaffCreate, StaffRead, StaffUpdate
from shared.errors import Forbidden, NotFound, error_responses
from shared.pagination import Page, PaginationDep

router = APIRouter(tags=["staff"])
ERRORS = error_responses(Forbidden, NotFound)


@router.post("/organizations/{organization_id}/staff", status_code=201, responses=ERRORS)
async def create_staff(
    organization_id: uuid.UUID, body: StaffCreate, access: AccessDep
) -> StaffRead:
    member = await service.create_staff(access, organization_id, body)
    return StaffRead.model_validate(member)


@router.get("/organizations/{organization_id}/staff", responses=ERRORS)
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


@router.get("/staff/{staff_id}", responses=ERRORS)
async def get_staff(staff_id: uuid.UUID, access: AccessDep) -> StaffRead:
    return StaffRead.model_validate(await service.get_staff(access, staff_id))


@router.patch("/staff/{staff_id}", responses=ERRORS)
async def update_staff(staff_id: uuid.UUID, body: StaffUpdate, access: AccessDep) -> StaffRead:
    member = await service.update_staff(access, staff_id, body)
    return StaffRead.model_validate(member)
