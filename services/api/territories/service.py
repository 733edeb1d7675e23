"""Territories: a tree of regions and municipalities."""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.access import MANAGERS, Access, authorize, visible_territories
from services.api.sibling_names import refuse_taken_name
from services.api.territories.models import Territory
from services.api.territories.schemas import TerritoryCreate, TerritoryUpdate
from shared.db import add_new, apply_changes
from shared.errors import Forbidden, Invalid, NotFound, field_error
from shared.identity import ScopeType, require_roles
from shared.pagination import Pagination, containing, paginate, where_given
from shared.templating import quoted


async def _check_parent(
    session: AsyncSession, kind: str, parent_id: uuid.UUID | None, *, field: str = "parent_id"
) -> None:
    """422 (naming `field`: `parent_id`, or `kind` when the kind changed) when a territory of
    `kind` may not sit under `parent_id`: a region inside a municipality. The parent's row is
    read under a share lock until the transaction ends: a concurrent change of its kind waits
    for this write, and this one reads the kind that change committed."""
    if parent_id is None:
        return
    parent = await session.get(
        Territory, parent_id, with_for_update={"read": True}, populate_existing=True
    )
    if parent is None:
        raise Invalid.at("parent_id", "Родительская территория не найдена")
    if kind == "region" and parent.kind == "municipality":
        raise Invalid.at(field, "Регион не может входить в муниципалитет")


async def _check_children(session: AsyncSession, territory: Territory, kind: str) -> None:
    """422 naming `kind` when a territory with a region under it would become a municipality:
    a region may not sit inside a municipality (as a new territory may not)."""
    if kind != "municipality":
        return
    region_below = select(Territory.name).where(
        Territory.parent_id == territory.id, Territory.kind == "region"
    )
    names = list(await session.scalars(region_below.order_by(Territory.name).limit(3)))
    if names:
        listed = ", ".join(quoted(name) for name in names)
        raise Invalid.at(
            "kind",
            f"Территория не может стать муниципалитетом: в неё входят регионы ({listed})",
        )


async def _refuse_taken_name(
    session: AsyncSession,
    name: str | None,
    parent_id: uuid.UUID | None,
    own_id: uuid.UUID | None = None,
) -> None:
    """409 naming `name` when another territory of the same parent (or another top-level one)
    has it (services/api/sibling_names.py): two «Северный район» of one region could not be
    told apart in any list or filter."""
    await refuse_taken_name(
        session,
        Territory,
        name,
        among=Territory.parent_id == parent_id if parent_id else Territory.parent_id.is_(None),
        own_id=own_id,
        lock=("territory", parent_id),
        message=(
            "В ту же вышестоящую территорию уже входит территория с таким названием"
            if parent_id
            else "На верхнем уровне уже есть территория с таким названием"
        ),
    )


async def create_territory(access: Access, data: TerritoryCreate) -> Territory:
    """Admins create any territory; analysts create territories under their own. 409 naming
    `name` when its parent already has a territory of that name (`_refuse_taken_name`)."""
    if data.parent_id is None:
        require_roles(access.principal)  # a new root territory: administrators only
    else:
        await authorize(
            access.principal, access.scopes, ScopeType.territory, data.parent_id, MANAGERS
        )
    await _check_parent(access.session, data.kind, data.parent_id)
    await _refuse_taken_name(access.session, data.name, data.parent_id)
    return await add_new(access.session, Territory(**data.model_dump()))


async def get_territory(access: Access, territory_id: uuid.UUID) -> Territory:
    """The territory if the caller sees it (NotFound otherwise)."""
    visible = await visible_territories(access.principal, access.scopes)
    territory = await access.session.get(Territory, territory_id)
    if territory is None or (visible is not None and territory_id not in visible):
        raise NotFound("Территория не найдена")
    return territory


async def update_territory(
    access: Access, territory_id: uuid.UUID, data: TerritoryUpdate
) -> Territory:
    """The caller's managed territory changed: 409 naming `name` when its (new) parent has
    another territory of that name. Its kind and place are checked as they will stand, against
    its parent and its children: 422 naming `kind` (or `parent_id`) when a region would sit
    inside a municipality. The kind of the caller's own territory is the administrator's to
    change (403 naming `kind`): an analyst does not move their own territory's level. The row
    is locked while it changes: a territory created under it meanwhile waits, then sees the
    kind this change stored."""
    principal, scopes = access.principal, access.scopes
    await authorize(principal, scopes, ScopeType.territory, territory_id, MANAGERS)
    territory = await get_territory(access, territory_id)
    await access.session.refresh(territory, with_for_update=True)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("kind", territory.kind) == territory.kind:
        changes.pop("kind", None)
    elif not principal.unrestricted and principal.scope_id == territory_id:
        message = "Вид своей территории (регион или муниципалитет) меняет администратор"
        raise Forbidden(message, errors=[field_error("kind", message)])
    if "parent_id" in changes and changes["parent_id"] != territory.parent_id:
        new_parent = changes["parent_id"]
        if new_parent is None:
            require_roles(principal)
        else:
            await authorize(principal, scopes, ScopeType.territory, new_parent, MANAGERS)
            if new_parent in await scopes.subtree(territory_id):
                raise Invalid.at("parent_id", "Территория не может входить сама в себя")
    kind = changes.get("kind", territory.kind)
    moved = "parent_id" in changes and changes["parent_id"] != territory.parent_id
    if "kind" in changes or moved:
        parent_id = changes.get("parent_id", territory.parent_id)
        field = "parent_id" if moved else "kind"
        await _check_parent(access.session, kind, parent_id, field=field)
    if "kind" in changes:
        await _check_children(access.session, territory, kind)
    if "name" in changes or "parent_id" in changes:
        parent_id = changes.get("parent_id", territory.parent_id)
        name = changes.get("name", territory.name)
        await _refuse_taken_name(access.session, name, parent_id, own_id=territory.id)
    return await apply_changes(access.session, territory, changes)


async def list_territories(
    access: Access,
    page: Pagination,
    *,
    parent_id: uuid.UUID | None = None,
    kind: str | None = None,
    q: str | None = None,
) -> tuple[list[Territory], int]:
    query = select(Territory).order_by(Territory.name, Territory.id)
    visible = await visible_territories(access.principal, access.scopes)
    if visible is not None:
        query = query.where(Territory.id.in_(visible))
    query = where_given(query, (Territory.parent_id, parent_id), (Territory.kind, kind))
    return await paginate(access.session, containing(query, q, Territory.name), page)
