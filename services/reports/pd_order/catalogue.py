"""The catalogue of PD programmes: the default one loaded at start-up, and its editing.

Owners (services/reports/owners.py): the global catalogue (no owner territory, the defaults
among it) is changed by administrators only; a territory's PD centre (its methodologists) and
analysts add and change that territory's own programmes, which are offered there and below.
"""

import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.clients.api import ApiClient
from services.reports.pd_order.compute import Programme, load_catalogue
from services.reports.pd_order.models import PdProgramme
from services.reports.pd_order.schemas import PdProgrammeCreate, PdProgrammeUpdate
from shared.errors import Conflict, Invalid, field_error
from shared.identity import Role, require_roles
from shared.owners import Owners, Texts
from shared.pagination import Pagination, paginate

EDITORS = (Role.territory_analyst, Role.methodologist)
NOT_NULL = ("code", "title", "provider", "hours", "competences", "active")
TEXTS = Texts(
    not_found="Программа не найдена",
    global_only="Программы общего каталога меняет только администратор",
    above="Программа принадлежит вышестоящей территории",
)


async def sync_catalogue(session: AsyncSession) -> int:
    """Add the default programmes whose code the database lacks; returns how many.

    A programme already stored is left as it is: edits made over the API are never overwritten.
    """
    rows = [
        {"id": uuid.uuid4(), "active": True, "format": None} | p
        for p in load_catalogue()["programmes"]
    ]
    added = await session.scalars(
        insert(PdProgramme)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["code"])
        .returning(PdProgramme.code)
    )
    return len(added.all())


def offered_in(territory_ids: Collection[uuid.UUID]) -> ColumnElement[bool]:
    """Programmes offered in a territory with this chain (it and its ancestors): the global
    catalogue and the programmes of those territories."""
    return or_(
        PdProgramme.owner_territory_id.is_(None),
        PdProgramme.owner_territory_id.in_(list(territory_ids)),
    )


async def active_programmes(
    session: AsyncSession, territory_ids: Collection[uuid.UUID]
) -> list[Programme]:
    """The programmes a route in a territory with this chain (it and its ancestors) may use."""
    rows = await session.scalars(
        select(PdProgramme)
        .where(PdProgramme.active, offered_in(territory_ids))
        .order_by(PdProgramme.code)
    )
    return [
        Programme(p.id, p.code, p.title, p.provider, p.hours, tuple(p.competences), p.format)
        for p in rows
    ]


async def list_programmes(
    session: AsyncSession,
    owners: Owners,
    page: Pagination,
    *,
    active: bool | None = None,
    competence: str | None = None,
) -> tuple[list[PdProgramme], int]:
    """The programmes the caller sees: the global catalogue, those of their territory and
    above, and (for a territory's staff) those of the territories under it."""
    query = select(PdProgramme).order_by(PdProgramme.code)
    if not owners.principal.unrestricted:
        stored = await session.scalars(select(PdProgramme.owner_territory_id).distinct())
        seen = {o for o in await owners.visible(stored) if o is not None}
        query = query.where(offered_in(seen))
    if active is not None:
        query = query.where(PdProgramme.active == active)
    if competence is not None:
        query = query.where(PdProgramme.competences.contains([competence]))
    return await paginate(session, query, page)


async def get_programme(
    session: AsyncSession, owners: Owners, programme_id: uuid.UUID
) -> PdProgramme:
    """A programme the caller sees (404 otherwise)."""
    return await owners.seen(await session.get(PdProgramme, programme_id), TEXTS)


async def editable(session: AsyncSession, owners: Owners, programme_id: uuid.UUID) -> PdProgramme:
    """404 if the caller does not see it, 403 if their role or its owner does not let them."""
    programme = await get_programme(session, owners, programme_id)
    require_roles(owners.principal, *EDITORS)
    await owners.authorize(programme.owner_territory_id, TEXTS)
    return programme


async def _store(session: AsyncSession, programme: PdProgramme, changes: dict[str, Any]) -> None:
    """Write the changes in a savepoint: a taken code is a 409, and the session stays usable."""
    code = changes.get("code", programme.code)
    try:
        async with session.begin_nested():
            for key, value in changes.items():
                setattr(programme, key, value)
            session.add(programme)
            await session.flush()
    except IntegrityError as exc:
        raise Conflict.at(
            "code",
            "код уже занят другой программой",
            detail=f"Программа с кодом {code} уже есть в каталоге",
        ) from exc


async def create_programme(
    session: AsyncSession, owners: Owners, api: ApiClient, data: PdProgrammeCreate
) -> PdProgramme:
    """A new programme, the caller's territory's own unless they ask for another inside their
    scope (404 outside it) or are an administrator (global by default); 409 when its code is
    taken (codes are unique across territories: routes and orders name programmes by code).
    Recorded in the audit log."""
    require_roles(owners.principal, *EDITORS)
    owner = await owners.owner_for_new(data.owner_territory_id, "owner_territory_id")
    programme = PdProgramme(code=data.code)
    await _store(session, programme, data.model_dump() | {"owner_territory_id": owner})
    await api.audit("create", "pd_programme", str(programme.id), data.model_dump(mode="json"))
    return programme


async def update_programme(
    session: AsyncSession, api: ApiClient, programme: PdProgramme, data: PdProgrammeUpdate
) -> PdProgramme:
    """Change the fields sent of a programme the caller may edit (`editable`, which the route
    asks before the body is read), recorded in the audit log; 409 for a taken code, 422 for
    clearing a field that may not be null."""
    await session.refresh(programme)  # found before an If-Match's lock: as it now stands
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    if cleared := [k for k in NOT_NULL if k in changes and changes[k] is None]:
        raise Invalid(
            f"Поле {cleared[0]} нельзя очистить",
            errors=[field_error(k, "поле нельзя очистить") for k in cleared],
        )
    await _store(session, programme, changes)
    audited = data.model_dump(mode="json", exclude_unset=True)
    await api.audit("update", "pd_programme", str(programme.id), audited)
    return programme


async def delete_programme(session: AsyncSession, api: ApiClient, programme: PdProgramme) -> None:
    """Remove a programme the caller may edit (`editable`), recorded in the audit log. One of
    the default catalogue is deactivated instead: removed, it would come back at the next
    start. Routes already built keep their copy of it."""
    if programme.code in {p["code"] for p in load_catalogue()["programmes"]}:
        programme.active = False
    else:
        await session.delete(programme)
    await session.flush()
    await api.audit("delete", "pd_programme", str(programme.id), {})
