"""Staff members: personal data. Read by the scope's analysts, methodologists and the school's
leader (and each teacher their own record); written by analysts and the school's leader."""

import uuid

from sqlalchemy import select

from services.api.access import ORGANIZATION_MANAGERS, PERSONAL_READERS, Access, authorize
from services.api.staff.models import StaffMember
from services.api.staff.schemas import StaffCreate, StaffUpdate
from shared.db import add_new, apply_changes
from shared.errors import NotFound
from shared.identity import ScopeType
from shared.pagination import Pagination, containing, paginate, where_given


async def create_staff(access: Access, org_id: uuid.UUID, data: StaffCreate) -> StaffMember:
    await authorize(
        access.principal, access.scopes, ScopeType.organization, org_id, ORGANIZATION_MANAGERS
    )
    member = StaffMember(organization_id=org_id, **data.model_dump())
    return await add_new(access.session, member)


async def _member(access: Access, staff_id: uuid.UUID) -> StaffMember:
    member = await access.session.get(StaffMember, staff_id)
    if member is None:
        raise NotFound("Сотрудник не найден")
    return member


async def get_staff(access: Access, staff_id: uuid.UUID) -> StaffMember:
    """One record: a teacher may read their own; personal-data readers those of their scope."""
    member = await _member(access, staff_id)
    if access.principal.staff_id == staff_id:
        return member
    await authorize(
        access.principal,
        access.scopes,
        ScopeType.organization,
        member.organization_id,
        PERSONAL_READERS,
    )
    return member


async def update_staff(access: Access, staff_id: uuid.UUID, data: StaffUpdate) -> StaffMember:
    member = await _member(access, staff_id)
    await authorize(
        access.principal,
        access.scopes,
        ScopeType.organization,
        member.organization_id,
        ORGANIZATION_MANAGERS,
    )
    return await apply_changes(access.session, member, data.model_dump(exclude_unset=True))


async def list_staff(
    access: Access,
    org_id: uuid.UUID,
    page: Pagination,
    *,
    position: str | None = None,
    active: bool | None = None,
    q: str | None = None,
) -> tuple[list[StaffMember], int]:
    await authorize(
        access.principal, access.scopes, ScopeType.organization, org_id, PERSONAL_READERS
    )
    query = (
        select(StaffMember)
        .where(StaffMember.organization_id == org_id)
        .order_by(StaffMember.full_name, StaffMember.id)
    )
    query = where_given(query, (StaffMember.position, position), (StaffMember.is_active, active))
    return await paginate(access.session, containing(query, q, StaffMember.full_name), page)
