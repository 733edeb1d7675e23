"""Data collections (сбор данных): create, read, change, delete.

A collection names the indicators (method `data_value`) that the organizations of some kinds in
its owner territory (the whole subtree) report, and one window per period: values are expected
from `opens_date` and due by `due_date`. Its owner territory's analysts (and administrators)
write it; it is read by whoever's scope is at or under the owner (a school's leader: the
collections of its territories for its kind) and above it. A period's status: `status.py`;
approval: `approvals.py`.
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import any_, exists, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.access import MANAGERS, Access, authorize, visible_territories
from services.api.audit import service as audit
from services.api.collections.models import Collection, CollectionApproval, CollectionWindow
from services.api.collections.schemas import (
    CollectionCreate,
    CollectionRead,
    CollectionUpdate,
    Window,
    WindowRead,
)
from services.api.indicators.models import Indicator
from services.api.organizations.models import Organization
from shared.db import add_new, apply_changes
from shared.errors import Conflict, Forbidden, Invalid, NotFound
from shared.identity import Role, ScopeType, require_roles
from shared.pagination import Pagination, paginate
from shared.periods import Period

# Who reads collections and their status besides administrators and services.
READERS = (Role.territory_analyst, Role.organization_leader, Role.viewer)


async def _reach(access: Access) -> tuple[frozenset[uuid.UUID] | None, str | None]:
    """The owner territories whose collections the caller reads (None: all) and, for a
    caller scoped to one organization, its kind (they read only the collections for it)."""
    require_roles(access.principal, *READERS)
    territories = await visible_territories(access.principal, access.scopes)
    kind = None
    if access.principal.scope_type == ScopeType.organization:
        query = select(Organization.kind).where(Organization.id == access.principal.scope_id)
        kind = await access.session.scalar(query)
    return territories, kind


async def readable_collection(access: Access, collection_id: uuid.UUID) -> Collection:
    """The collection if the caller may read it: Forbidden (403) for other roles, NotFound
    (404) when it does not concern the caller's scope."""
    territories, kind = await _reach(access)
    collection = await access.session.get(Collection, collection_id)
    if (
        collection is None
        or (territories is not None and collection.owner_territory_id not in territories)
        or (kind is not None and kind not in collection.organization_kinds)
    ):
        raise NotFound("Сбор данных не найден")
    return collection


async def writable_collection(access: Access, collection_id: uuid.UUID) -> Collection:
    """The collection if the caller may change it (its owner territory's analysts, and those
    of a territory above it), its row locked for the change (`locked_collection`). One they
    read but may not change (a school's leader, a viewer, the analyst of a territory under the
    owner) is Forbidden (403), not NotFound: they see it; one deleted meanwhile, NotFound."""
    collection = await readable_collection(access, collection_id)
    try:
        await _authorize_owner(access, collection.owner_territory_id)
    except NotFound as hidden:
        raise Forbidden(
            "Изменять сбор данных могут аналитики территории, которая его ведёт"
        ) from hidden
    return await locked_collection(access.session, collection.id)


async def locked_collection(
    session: AsyncSession, collection_id: uuid.UUID, *, shared: bool = False
) -> Collection:
    """The collection read afresh with its row locked until the transaction ends: FOR UPDATE
    for a change or a deletion, FOR SHARE (`shared`) for an approval step
    (`approvals.take_step`). A change checks the approvals and then writes; a step checks the
    window, the kinds and the approval and then writes: under the lock they take turns, so
    neither lands between the other's check and its write (an approval given while the
    indicators change, a submission for a window being dropped), while steps of different
    organizations still run at once. NotFound (404) when it was deleted meanwhile."""
    collection = await session.get(
        Collection,
        collection_id,
        with_for_update={"read": True} if shared else True,
        populate_existing=True,
    )
    if collection is None:
        raise NotFound("Сбор данных не найден")
    return collection


async def _authorize_owner(access: Access, territory_id: uuid.UUID) -> None:
    """The caller is an analyst (else 403) and their scope holds the territory (else 404)."""
    await authorize(access.principal, access.scopes, ScopeType.territory, territory_id, MANAGERS)


async def _indicator_ids(
    access: Access, owner_territory_id: uuid.UUID, codes: Sequence[str]
) -> list[uuid.UUID]:
    """The ids of the indicators `codes` in their order, each one organizations report (method
    `data_value`) of the global catalogue or of the owner or a territory above it; else a 422
    naming `indicator_codes` with every code refused."""
    above = await access.scopes.ancestors(owner_territory_id)
    query = select(Indicator).where(Indicator.code.in_(codes))
    found = {i.code: i for i in await access.session.scalars(query)}
    refused = [
        code
        for code in codes
        if (indicator := found.get(code)) is None
        or indicator.method != "data_value"
        or (indicator.owner_territory_id is not None and indicator.owner_territory_id not in above)
    ]
    if refused:
        listed = ", ".join(f"«{code}»" for code in dict.fromkeys(refused))
        message = f"Нет показателей, значения которых вносят организации этой территории: {listed}"
        raise Invalid.at("indicator_codes", message)
    return list(dict.fromkeys(found[code].id for code in codes))


def _check_windows(windows: Sequence[Window]) -> None:
    seen: set[str] = set()
    for index, window in enumerate(windows):
        if window.due_date < window.opens_date:
            message = "Срок сдачи раньше даты открытия сбора"
            raise Invalid.at(["windows", index, "due_date"], message)
        if window.period.code in seen:
            message = f"Период {window.period.code} указан дважды"
            raise Invalid.at(["windows", index, "period"], message)
        seen.add(window.period.code)


async def _approved_exists(session: AsyncSession, collection_id: uuid.UUID) -> bool:
    query = select(
        exists().where(
            CollectionApproval.collection_id == collection_id,
            CollectionApproval.status == "approved",
        )
    )
    return bool(await session.scalar(query))


async def create_collection(access: Access, data: CollectionCreate) -> Collection:
    """A new collection of the owner territory (403 for roles other than analysts, 404 when
    the caller's scope does not hold it; 422 naming `indicator_codes` or a window)."""
    await _authorize_owner(access, data.owner_territory_id)
    session = access.session
    ids = await _indicator_ids(access, data.owner_territory_id, data.indicator_codes)
    _check_windows(data.windows)
    collection = await add_new(
        session,
        Collection(
            name=data.name,
            description=data.description,
            owner_territory_id=data.owner_territory_id,
            organization_kinds=list(data.organization_kinds),
            indicator_ids=ids,
            created_by=access.principal.user_id,
        ),
    )
    session.add_all(_windows(collection.id, data.windows))
    await _record_windows(session, collection.id, [], data.windows)
    return collection


async def _record_windows(
    session: AsyncSession,
    collection_id: uuid.UUID,
    before: Sequence[WindowRead | Window],
    after: Sequence[WindowRead | Window],
) -> bool:
    """The windows' change, audited as one of the collection's (their rows are not); whether
    there was one."""
    shown = [
        sorted(
            (
                {
                    "period": getattr(w.period, "code", w.period),
                    "opens_date": w.opens_date.isoformat(),
                    "due_date": w.due_date.isoformat(),
                }
                for w in windows
            ),
            key=lambda w: (w["opens_date"], w["period"]),
        )
        for windows in (before, after)
    ]
    if shown[0] != shown[1]:
        changes = {"windows": {"before": shown[0], "after": shown[1]}}
        await audit.record(session, "update", "collection", collection_id, changes)
    await session.flush()
    return shown[0] != shown[1]


def _windows(collection_id: uuid.UUID, windows: Sequence[Window]) -> list[CollectionWindow]:
    return [
        CollectionWindow(
            collection_id=collection_id,
            period=w.period.code,
            opens_date=w.opens_date,
            due_date=w.due_date,
        )
        for w in windows
    ]


async def update_collection(
    access: Access, collection_id: uuid.UUID, data: CollectionUpdate
) -> Collection:
    """Name, description, kinds, indicators, windows (replaced). While some organization's data
    are approved, the indicators and kinds stay (409: they decide what is locked); a window
    with approvals may not go (409), its dates may move. The row is locked before the check
    (`writable_collection`): no approval or submission lands between the check and the write."""
    collection = await writable_collection(access, collection_id)
    session = access.session
    changes: dict[str, Any] = data.model_dump(exclude_unset=True, exclude={"windows"})
    if "indicator_codes" in changes:
        codes = changes.pop("indicator_codes")
        changes["indicator_ids"] = await _indicator_ids(
            access, collection.owner_territory_id, codes
        )
    locked = {"indicator_ids", "organization_kinds"} & {
        key for key, value in changes.items() if value != getattr(collection, key)
    }
    if locked and await _approved_exists(session, collection.id):
        raise Conflict(
            "Данные части организаций утверждены: состав показателей и виды организаций "
            "можно изменить после отзыва утверждений"
        )
    if data.windows is not None and await _replace_windows(session, collection.id, data.windows):
        # The windows are rows of their own: the collection's `updated_at` (and its row in
        # the change feed) moves with them as with any field of its own.
        changes["updated_at"] = datetime.now(UTC)
    return await apply_changes(session, collection, changes)


async def _replace_windows(
    session: AsyncSession, collection_id: uuid.UUID, windows: list[Window]
) -> bool:
    """The collection's windows replaced by `windows`; whether they changed."""
    _check_windows(windows)
    kept = {w.period.code for w in windows}
    # A withdrawn submission (not_submitted again) holds nothing: its period may go.
    query = select(CollectionApproval.period).where(
        CollectionApproval.collection_id == collection_id,
        CollectionApproval.period.not_in(kept),
        CollectionApproval.status != "not_submitted",
    )
    if dropped := sorted(set(await session.scalars(query))):
        message = f"По периодам {', '.join(dropped)} уже есть подача или утверждение данных"
        raise Conflict.at("windows", message)
    query = (
        select(CollectionWindow)
        .where(CollectionWindow.collection_id == collection_id)
        .order_by(CollectionWindow.opens_date, CollectionWindow.period)
    )
    current = {w.period: w for w in await session.scalars(query)}
    before = [WindowRead.model_validate(w) for w in current.values()]
    for window in windows:
        stored = current.pop(window.period.code, None)
        if stored is None:
            session.add(_windows(collection_id, [window])[0])
        else:
            stored.opens_date, stored.due_date = window.opens_date, window.due_date
    for stale in current.values():
        await session.delete(stale)
    return await _record_windows(session, collection_id, before, windows)


async def delete_collection(access: Access, collection_id: uuid.UUID) -> None:
    """Gone with its windows and approval history (the database cascades); 409 while some
    data are approved (their lock would go with it); the row is locked before the check, so
    no approval lands meanwhile."""
    collection = await writable_collection(access, collection_id)
    if await _approved_exists(access.session, collection.id):
        raise Conflict("Данные части организаций утверждены: сначала отзовите утверждения")
    await access.session.delete(collection)
    await access.session.flush()


async def list_collections(
    access: Access,
    page: Pagination,
    *,
    owner_territory_id: uuid.UUID | None = None,
    period: Period | None = None,
) -> tuple[list[Collection], int]:
    """The collections that concern the caller, newest first; of one owner, or with a window
    for `period`."""
    territories, kind = await _reach(access)
    query = select(Collection).order_by(Collection.created_at.desc(), Collection.id)
    if territories is not None:
        query = query.where(Collection.owner_territory_id.in_(territories))
    if kind is not None:
        query = query.where(literal(kind) == any_(Collection.organization_kinds))
    if owner_territory_id is not None:
        query = query.where(Collection.owner_territory_id == owner_territory_id)
    if period is not None:
        query = query.where(
            exists().where(
                CollectionWindow.collection_id == Collection.id,
                CollectionWindow.period == period.code,
            )
        )
    return await paginate(access.session, query, page)


async def read_collections(
    session: AsyncSession, collections: list[Collection]
) -> list[CollectionRead]:
    """Collections with their indicator codes and windows: two queries for the whole list."""
    ids = {i for c in collections for i in c.indicator_ids}
    query = select(Indicator.id, Indicator.code).where(Indicator.id.in_(ids))
    codes = {indicator_id: code for indicator_id, code in await session.execute(query)}
    windows: dict[uuid.UUID, list[WindowRead]] = {c.id: [] for c in collections}
    query = (
        select(CollectionWindow)
        .where(CollectionWindow.collection_id.in_(windows))
        .order_by(CollectionWindow.opens_date, CollectionWindow.period)
    )
    for window in await session.scalars(query):
        windows[window.collection_id].append(WindowRead.model_validate(window))
    return [
        CollectionRead(
            **c.model_dump(exclude={"indicator_ids", "created_by"}),
            indicator_codes=[codes[i] for i in c.indicator_ids if i in codes],
            windows=windows[c.id],
        )
        for c in collections
    ]


async def window_of(
    session: AsyncSession, collection_id: uuid.UUID, period: Period, *, where: str = "query"
) -> CollectionWindow:
    """The collection's window for `period`, or a 422 naming `period`."""
    window = await session.get(CollectionWindow, (collection_id, period.code))
    if window is None:
        raise Invalid.at("period", f"Сбор не проводится за период {period.code}", where=where)
    return window
