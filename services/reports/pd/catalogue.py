"""The catalogue of PD programmes: the default one loaded at start-up, and its editing."""

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.pd.compute import Programme, load_catalogue
from services.reports.pd.models import PdProgramme
from services.reports.pd.schemas import PdProgrammeCreate, PdProgrammeUpdate
from shared.auth import Principal, Role, require_roles
from shared.errors import Conflict, Invalid, NotFound
from shared.pagination import Pagination, paginate

EDITORS = (Role.territory_analyst, Role.methodologist)
NOT_NULL = ("code", "title", "provider", "hours", "competences", "active")


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


async def active_programmes(session: AsyncSession) -> list[Programme]:
    """The programmes a route may use."""
    rows = await session.scalars(
        select(PdProgramme).where(PdProgramme.active).order_by(PdProgramme.code)
    )
    return [
        Programme(p.id, p.code, p.title, p.provider, p.hours, tuple(p.competences), p.format)
        for p in rows
    ]


async def list_programmes(
    session: AsyncSession,
    page: Pagination,
    *,
    active: bool | None = None,
    competence: str | None = None,
) -> tuple[list[PdProgramme], int]:
    query = select(PdProgramme).order_by(PdProgramme.code)
    if active is not None:
        query = query.where(PdProgramme.active == active)
    if competence is not None:
        query = query.where(PdProgramme.competences.contains([competence]))
    return await paginate(session, query, page)


async def get_programme(session: AsyncSession, programme_id: uuid.UUID) -> PdProgramme:
    programme = await session.get(PdProgramme, programme_id)
    if programme is None:
        raise NotFound("Программа не найдена")
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
        raise Conflict(
            f"Программа с кодом {code} уже есть в каталоге",
            errors=[{"loc": ["body", "code"], "msg": "code is already used"}],
        ) from exc


async def create_programme(
    session: AsyncSession, principal: Principal, data: PdProgrammeCreate
) -> PdProgramme:
    """A new programme; 409 when its code is taken."""
    require_roles(principal, *EDITORS)
    programme = PdProgramme(code=data.code)
    await _store(session, programme, data.model_dump())
    return programme


async def update_programme(
    session: AsyncSession, principal: Principal, programme_id: uuid.UUID, data: PdProgrammeUpdate
) -> PdProgramme:
    require_roles(principal, *EDITORS)
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    if cleared := [k for k in NOT_NULL if k in changes and changes[k] is None]:
        raise Invalid(
            f"Поле {cleared[0]} нельзя очистить",
            errors=[{"loc": ["body", k], "msg": "may not be null"} for k in cleared],
        )
    programme = await get_programme(session, programme_id)
    await _store(session, programme, changes)
    return programme


async def delete_programme(
    session: AsyncSession, principal: Principal, programme_id: uuid.UUID
) -> None:
    """Remove a programme. One of the default catalogue is deactivated instead: removed, it
    would come back at the next start. Routes already built keep their copy of it."""
    require_roles(principal, *EDITORS)
    programme = await get_programme(session, programme_id)
    if programme.code in {p["code"] for p in load_catalogue()["programmes"]}:
        programme.active = False
    else:
        await session.delete(programme)
    await session.flush()
