"""Staff members: personal data. Read by the scope's analysts, methodologists and the school's
leader (and each teacher their own record); written by analysts and the school's leader."""

import uuid
from collections.abc import Iterable

from sqlalchemy import select

from services.api.access import ORGANIZATION_MANAGERS, PERSONAL_READERS, Access, authorize
from services.api.staff.models import StaffMember
from services.api.staff.schemas import StaffCreate, StaffUpdate
from shared.db import add_new, apply_changes
from shared.errors import NotFound
from shared.identity import Role, ScopeType
from shared.pagination import Pagination, containing, paginate, where_given


async def create_staff(access: Access, org_id: uuid.UUID, data: StaffCreate) -> StaffMember:
    await authorize(
        access.principal, access.scopes, ScopeType.organization, org_id, ORGANIZATION_MANAGERS
    )
    member = StaffMember(organization_id=org_id, **data.model_dump())
    return await add_new(access.session, member)


NOT_FOUND = "Сотрудник не найден"


async def _member(access: Access, staff_id: uuid.UUID, roles: Iterable[Role]) -> StaffMember:
    """The record, when one of `roles` whose scope holds its organization asks (403 for other
    roles); 404 «Сотрудник не найден» alike for none and for one outside the caller's scope."""
    member = await access.session.get(StaffMember, staff_id)
    if member is None:
        raise NotFound(NOT_FOUND)
    try:
        await authorize(
            access.principal, access.scopes, ScopeType.organization, member.organization_id, roles
        )
    except NotFound:
        raise NotFound(NOT_FOUND) from None
    return member


async def get_staff(access: Access, staff_id: uuid.UUID) -> StaffMember:
    """One record: a teacher may read their own; personal-data readers those of their scope."""
    if access.principal.staff_id == staff_id:
        member = await access.session.get(StaffMember, staff_id)
        if member is not None:
            return member
    return await _member(access, staff_id, PERSONAL_READERS)


async def update_staff(access: Access, staff_id: uuid.UUID, data: StaffUpdate) -> StaffMember:
    member = await _member(access, staff_id, ORGANIZATION_MANAGERS)
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
