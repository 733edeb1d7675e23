"""Outliers among posted data values: the bounds (catalogue data), the flags, the import's hook.

A value is stored whatever the checks say (never dropped): a flag says it looks wrong and why.
Flags are current, not a history: every write of values (`flag_imported`, the data-values
import's one call) and every change of a bound recomputes, in one SQL statement
(`checks.RECOMPUTE`), the flags those writes can change, so a corrected value clears its flag
and the other schools of its territory are judged against the new median. A change of the
`SOKO_OUTLIER_*` settings applies from the next write of the values concerned.

Who sets bounds (shared/owners.py): an indicator's bound for every organization, the
indicator's owner (an administrator for the global catalogue, a territory's analysts for its
own indicator); one organization's bound, the analysts whose scope holds it. Everyone reads
the bounds for every organization of the indicators they see and those of the organizations
they read; flags are read as the values are (`list_outliers`).
"""

import uuid
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.access import Access, visible_territories
from services.api.data_values.models import DataValue
from services.api.indicators.models import Indicator
from services.api.indicators.reach import reach_of
from services.api.organizations.models import Organization
from services.api.outliers import checks
from services.api.outliers.checks import LOCK_GROUPS, LOCK_TERRITORIES, RECOMPUTE, STORED_FLAGS
from services.api.outliers.models import OutlierBound, OutlierFlag
from services.api.outliers.schemas import (
    OrganizationOutliers,
    OutlierBoundIn,
    OutlierBoundRead,
    OutlierFlagRead,
    Outliers,
)
from shared.db import lock_until_commit
from shared.errors import Invalid, NotFound
from shared.identity import Role, ScopeType, require_roles
from shared.owners import Owners, Texts, applies_to
from shared.pagination import Pagination, paginate
from shared.periods import Period
from shared.reinterpreted import decimal_text
from shared.scope import ensure_in_scope, readable_organizations
from shared.settings import Settings, get_settings
from shared.templating import natural_key

Key = tuple[uuid.UUID, uuid.UUID, str]  # indicator, organization, period
TEXTS = Texts(
    not_found="Граница не найдена",
    global_only="Общие границы показателя общего каталога задаёт администратор",
    above="Эти границы задают аналитики территории, которой они принадлежат",
)


class Written(Protocol):
    """A row of an import as stored: its index in the request (or line of the file) and key."""

    index: int
    indicator_id: uuid.UUID
    organization_id: uuid.UUID
    period: str


async def lock_territories(session: AsyncSession, territory_ids: Sequence[uuid.UUID]) -> None:
    """Hold these territories' groups still until the transaction ends (`checks.
    LOCK_TERRITORIES`, exclusive): to be called by a change of who is in a territory's groups
    (a school's move, its open dates) before it reads which groups to recompute. It waits for
    the writes of values of those territories under way (each holds its territories shared
    while it recomputes flags) and holds new ones until it commits."""
    await session.execute(LOCK_TERRITORIES, {"territory_ids": list(territory_ids)})


async def recompute(
    session: AsyncSession,
    keys: Sequence[Key] | None,
    *,
    only_written: bool = False,
    settings: Settings | None = None,
    staged: tuple[str, str] | None = None,
) -> list[Any]:
    """Recompute the flags these stored values (unique keys) can change, or with
    `only_written` those the current transaction wrote can (`checks.RECOMPUTE`); the flags of
    `keys`: rows of (indicator_id, organization_id, period, kind, value, bound, median, n,
    score). With `staged`, two tables of the session: one holding the very `keys` (an import's
    copy of its rows), read instead of the keys being sent again (`keys` may then be None), and
    one of the rows the transaction wrote among them with their values (`checks.staged`), read
    instead of `only_written`'s filter (always on then)."""
    if staged is None and not keys:
        return []
    settings = settings or get_settings()
    lock, statement = (LOCK_GROUPS, RECOMPUTE) if staged is None else checks.staged(*staged)
    arrays: dict[str, Any] = {"only_written": only_written}
    if staged is None and keys:
        indicators, organizations, periods = zip(*keys, strict=True)
        arrays |= {
            "indicator_ids": list(indicators),
            "organization_ids": list(organizations),
            "periods": list(periods),
        }
    await session.execute(lock, arrays)
    result = await session.execute(
        statement,
        {
            **arrays,
            "threshold": settings.outlier_threshold,
            "territory_min": settings.outlier_territory_min_values,
            "history_min": settings.outlier_history_min_periods,
        },
    )
    return list(result.all())


def _number(value: float) -> str:
    return decimal_text(round(value, 2))


def message(flag: Any, threshold: float) -> str:
    """What the import says of a flagged value (Russian): which check, and the bound crossed
    or the median, the number of values and the score; that it is not dropped (true of a dry
    run too, where nothing is stored: «сохранено» was not)."""
    value = _number(flag.value)
    if flag.kind == "min_max":
        side = "меньше нижней" if flag.value < flag.bound else "больше верхней"
        return (
            f"возможный выброс (проверка по границам): {value} {side} границы "
            f"{_number(flag.bound)}; значение не отбрасывается, проверьте его"
        )
    compared = (
        "со значениями организаций территории за этот период"
        if flag.kind == "territory_z"
        else "с прежними периодами организации"
    )
    return (
        f"возможный выброс (сравнение {compared}): {value} при медиане {_number(flag.median)} "
        f"по {flag.n} значениям, модифицированная z-оценка {decimal_text(round(flag.score, 1))} "
        f"по модулю больше {decimal_text(threshold)}; значение не отбрасывается, проверьте его"
    )


async def flag_imported(
    session: AsyncSession,
    rows: Sequence[Written],
    warn: Callable[[int, str, str], None],
    *,
    written: bool = True,
    staged: tuple[str, str] | None = None,
) -> None:
    """The data-values import's hook, right after its rows are stored in the same transaction:
    recompute what the new and changed values change (one statement for the batch) and warn
    of each flagged row, unchanged ones included, at `["value"]`. With `written` False (the
    import changed no value) nothing can change: the stored flags are read (no lock taken).
    `staged`: the import's copy of `rows` and of the rows it wrote (see `recompute`)."""
    threshold = get_settings().outlier_threshold
    if not rows:
        return
    if written and staged is not None:  # the keys are read from the staged copy
        flags = await recompute(session, None, only_written=True, staged=staged)
    else:
        keys = [(r.indicator_id, r.organization_id, r.period) for r in rows]
        flags = await (
            recompute(session, keys, only_written=True) if written else _stored_flags(session, keys)
        )
    # 10,000 keys of two ids each cost a dictionary only when some value is flagged.
    at = {(r.indicator_id, r.organization_id, r.period): r.index for r in rows} if flags else {}
    for flag in flags:
        warn(
            at[(flag.indicator_id, flag.organization_id, flag.period)],
            "value",
            message(flag, threshold),
        )


async def _stored_flags(session: AsyncSession, keys: Sequence[Key]) -> list[Any]:
    """The stored flags of these values, as `recompute` returns them."""
    indicators, organizations, periods = zip(*keys, strict=True)
    result = await session.execute(
        STORED_FLAGS,
        {
            "indicator_ids": list(indicators),
            "organization_ids": list(organizations),
            "periods": list(periods),
        },
    )
    return list(result.all())


# --- Bounds -----------------------------------------------------------------------------------


async def _indicator(access: Access, code: str, where: str = "body") -> Indicator:
    """The indicator of this code the caller sees (404 naming it otherwise), one that
    organizations enter as a number (422 otherwise)."""
    reach = await reach_of(access)
    indicator = await access.session.scalar(select(Indicator).where(Indicator.code == code))
    owner = indicator.owner_territory_id if indicator else None
    if indicator is None or not (reach.unrestricted or owner is None or owner in reach.owners):
        raise NotFound.at("indicator_code", f"Нет показателя с кодом «{code}»", where=where)
    if indicator.method != "data_value" or indicator.unit == "boolean":
        msg = "Границы задаются для числовых показателей, значения которых вносят организации"
        raise Invalid.at("indicator_code", msg, where=where)
    return indicator


async def _authorized(
    access: Access, indicator: Indicator, organization_id: uuid.UUID | None, where: str
) -> None:
    """May the caller set this bound? An organization's: inside their scope (404), an
    analyst's (403), and the indicator applies there (422); the one for every organization:
    the indicator's owner's (the global catalogue's: an administrator's; a territory's own
    indicator's: that territory's analysts'; 403 otherwise)."""
    principal, owner = access.principal, indicator.owner_territory_id
    if organization_id is not None:
        try:
            info = await ensure_in_scope(
                principal, access.scopes, ScopeType.organization, organization_id
            )
        except NotFound as exc:
            raise NotFound.at("organization_id", "Организация не найдена", where=where) from exc
        if not applies_to(indicator.owner_territory_id, info.territory_ids):
            msg = "Показатель не действует в территории этой организации"
            raise Invalid.at("organization_id", msg, where=where)
        owner = await access.session.scalar(
            select(Organization.territory_id).where(Organization.id == organization_id)
        )
    require_roles(principal, Role.territory_analyst)
    await Owners(principal, access.scopes).authorize(owner, TEXTS)


async def _stored(
    session: AsyncSession, indicator: Indicator, organization_id: uuid.UUID | None
) -> OutlierBound | None:
    query = select(OutlierBound).where(OutlierBound.indicator_id == indicator.id)
    if organization_id is None:
        query = query.where(OutlierBound.organization_id.is_(None))
    else:
        query = query.where(OutlierBound.organization_id == organization_id)
    return await session.scalar(query)


async def _values_of(
    session: AsyncSession, indicator: Indicator, organization_id: uuid.UUID | None
) -> list[Key]:
    """The stored values a bound applies to: its organization's, or (global) the indicator's."""
    query = select(DataValue.indicator_id, DataValue.organization_id, DataValue.period).where(
        DataValue.indicator_id == indicator.id
    )
    if organization_id is not None:
        query = query.where(DataValue.organization_id == organization_id)
    return [tuple(row) for row in await session.execute(query)]


def _read(bound: OutlierBound, code: str) -> OutlierBoundRead:
    return OutlierBoundRead(indicator_code=code, **bound.model_dump())


async def put_bound(access: Access, data: OutlierBoundIn) -> OutlierBoundRead:
    """Set the bound of `data`'s key (replaced whole when there is one) and recompute the flags
    of the values it applies to. 404 for an indicator or organization the caller does not see,
    403 for a role or bound they may not set, 422 naming the field (no side, lower > upper, a
    yes/no or computed indicator, an organization where the indicator does not apply)."""
    indicator = await _indicator(access, data.indicator_code)
    await _authorized(access, indicator, data.organization_id, "body")
    if data.lower is None and data.upper is None:
        raise Invalid.at("lower", "Укажите нижнюю границу, верхнюю или обе")
    if data.lower is not None and data.upper is not None and data.lower > data.upper:
        raise Invalid.at("upper", "Верхняя граница меньше нижней")
    session = access.session
    # One writer of a key at a time: two first PUTs of a key both found none and both inserted.
    await lock_until_commit(session, "outlier_bound", indicator.id, data.organization_id)
    bound = await _stored(session, indicator, data.organization_id)
    if bound is None:
        bound = OutlierBound(indicator_id=indicator.id, organization_id=data.organization_id)
        session.add(bound)
    bound.lower, bound.upper = data.lower, data.upper
    await session.flush()
    await session.refresh(bound)
    await recompute(session, await _values_of(session, indicator, data.organization_id))
    return _read(bound, indicator.code)


async def delete_bound(
    access: Access, indicator_code: str, organization_id: uuid.UUID | None
) -> None:
    """Remove the bound of this key (nothing to remove is no error: the key has none after
    either) and recompute the flags of its values; 404, 403 and 422 as `put_bound`."""
    indicator = await _indicator(access, indicator_code, "query")
    await _authorized(access, indicator, organization_id, "query")
    await lock_until_commit(access.session, "outlier_bound", indicator.id, organization_id)
    bound = await _stored(access.session, indicator, organization_id)
    if bound is not None:
        await access.session.delete(bound)
        await access.session.flush()
        keys = await _values_of(access.session, indicator, organization_id)
        await recompute(access.session, keys)


async def list_bounds(
    access: Access,
    page: Pagination,
    *,
    indicator_code: str | None = None,
    organization_id: uuid.UUID | None = None,
) -> tuple[list[OutlierBoundRead], int]:
    """The global bounds of the indicators the caller sees and the bounds of the organizations
    they read; by indicator code, by indicator then organization (global first)."""
    reach = await reach_of(access)
    query = (
        select(OutlierBound, Indicator.code)
        .join(Indicator, Indicator.id == OutlierBound.indicator_id)
        .order_by(Indicator.code, OutlierBound.organization_id.nulls_first())
    )
    if not reach.unrestricted:
        query = query.where(
            Indicator.owner_territory_id.is_(None) | Indicator.owner_territory_id.in_(reach.owners)
        )
    readable = await readable_organizations(access.principal, access.scopes)
    if readable is not None:
        query = query.where(
            OutlierBound.organization_id.is_(None) | OutlierBound.organization_id.in_(readable)
        )
    if indicator_code is not None:
        query = query.where(Indicator.code == indicator_code)
    if organization_id is not None:
        query = query.where(OutlierBound.organization_id == organization_id)
    rows, total = await paginate(access.session, query, page, whole_rows=True)
    return [_read(bound, code) for bound, code in rows], total


# --- Flags ------------------------------------------------------------------------------------


async def list_outliers(
    access: Access, territory_id: uuid.UUID, period: Period, indicator_code: str | None = None
) -> Outliers:
    """The flagged values of the period of the organizations of a territory (and those under
    it) that the caller reads: an analyst their territory's, a school's leader their school's.
    404 for a territory the caller does not see (neither theirs, under it, nor above it)."""
    principal, scopes = access.principal, access.scopes
    info = await scopes.resolve(ScopeType.territory, territory_id)
    visible = await visible_territories(principal, scopes)
    if visible is not None and territory_id not in visible:
        raise NotFound("Территория не найдена")
    organizations = info.organization_ids
    readable = await readable_organizations(principal, scopes)
    if readable is not None:
        organizations &= readable
    query = (
        select(OutlierFlag, Indicator.code, Organization.name)
        .join(Indicator, Indicator.id == OutlierFlag.indicator_id)
        .join(Organization, Organization.id == OutlierFlag.organization_id)
        .where(OutlierFlag.organization_id.in_(organizations), OutlierFlag.period == period.code)
        .order_by(Organization.name, Organization.id, Indicator.code, OutlierFlag.kind)
    )
    if indicator_code is not None:
        query = query.where(Indicator.code == indicator_code)
    items: dict[uuid.UUID, OrganizationOutliers] = {}
    for flag, code, name in await access.session.execute(query):
        item = items.setdefault(
            flag.organization_id,
            OrganizationOutliers(
                organization_id=flag.organization_id, organization_name=name, flags=[]
            ),
        )
        item.flags.append(
            OutlierFlagRead(
                indicator_code=code,
                check=flag.kind,
                **flag.model_dump(include={"value", "bound", "median", "n", "score", "flagged_at"}),
            )
        )
    # Schools as people look for them (№ 3 before № 10), as the pages list them.
    ordered = sorted(
        items.values(), key=lambda i: (natural_key(i.organization_name), i.organization_id)
    )
    return Outliers(territory_id=territory_id, period=period.code, items=ordered)
