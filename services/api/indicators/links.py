"""An indicator's targets and roadmap links: each caller writes their own part.

A list sent in `targets` (or `roadmap_ids`) replaces only what the caller may change: targets
scoped inside their scope (unscoped ones: the definition's owner's), links to roadmaps they may
write. What belongs to others stays; an item of theirs sent back unchanged (as read) is skipped;
changing or adding one is refused: 403 when the caller sees it (it is above them, or a global
default), 404 when they do not (existence hidden, as for an id that does not exist). Everything
is checked before anything is written.

Targets are written through the ORM (each change is in the audit log); links by two Core
statements (the data version counts them, see versions/service.py).
"""

import uuid
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.indicators.models import Indicator, IndicatorRoadmap, IndicatorTarget
from services.api.indicators.reach import Reach
from services.api.indicators.schemas import ScopedTarget
from services.api.roadmaps.models import Roadmap
from services.api.territories.scope import DbScopeResolver
from shared.errors import Forbidden, Invalid, NotFound
from shared.identity import ScopeType
from shared.periods import parse_period

TargetKey = tuple[str | None, str | None, uuid.UUID | None]


def key_of(target: ScopedTarget | IndicatorTarget) -> TargetKey:
    return (target.period, target.scope_type, target.scope_id)


@dataclass(frozen=True)
class Writer:
    """Who writes, and to which indicator: what their part is."""

    scopes: DbScopeResolver
    reach: Reach
    indicator: Indicator
    defines: bool  # may change the definition, and so its unscoped targets

    def owns_target(self, key: TargetKey) -> bool:
        _, scope_type, scope_id = key
        if scope_type is None or scope_id is None:
            return self.defines
        return self.reach.holds(scope_type, scope_id)

    def sees_target(self, key: TargetKey) -> bool:
        _, scope_type, scope_id = key
        return scope_type is None or scope_id is None or self.reach.sees(scope_type, scope_id)

    async def inside_owner(self, scope_type: str, scope_id: uuid.UUID) -> bool:
        """A territory's own indicator applies in that territory only: so do its targets and
        the roadmaps it serves. 404 (NotFound) when the scope does not exist."""
        owner = self.indicator.owner_territory_id
        info = await self.scopes.resolve(ScopeType(scope_type), scope_id)
        return owner is None or owner in info.territory_ids


def _check_shapes(targets: list[ScopedTarget]) -> None:
    seen: set[TargetKey] = set()
    for index, target in enumerate(targets):
        if target.period:
            try:
                parse_period(target.period)
            except ValueError as exc:
                raise Invalid.at(["targets", index, "period"], str(exc)) from exc
        if (target.scope_type is None) != (target.scope_id is None):
            msg = "Укажите и вид, и идентификатор области"
            raise Invalid.at(["targets", index, "scope_id"], msg)
        if key_of(target) in seen:
            msg = "Цель для этого периода и области уже указана в списке"
            raise Invalid.at(["targets", index], msg)
        seen.add(key_of(target))


async def _check_new_target(writer: Writer, index: int, target: ScopedTarget) -> None:
    """A target the caller may set: is its scope real and inside the indicator's territory?
    (What an analyst holds exists: only an administrator's scope needs looking up.)"""
    if target.scope_type is None or target.scope_id is None:
        return
    if writer.indicator.owner_territory_id is None and not writer.reach.unrestricted:
        return
    loc: list[str | int] = ["targets", index, "scope_id"]
    try:
        inside = await writer.inside_owner(target.scope_type, target.scope_id)
    except NotFound as exc:
        raise NotFound.at(loc, "Область цели не найдена") from exc
    if not inside:
        raise Invalid.at(loc, "Область вне территории, которой принадлежит показатель")


def _refusal(writer: Writer, index: int, key: TargetKey) -> Exception:
    if not writer.sees_target(key):
        return NotFound.at(["targets", index, "scope_id"], "Область цели не найдена")
    if key[1] is None:
        msg = "Цель без области задаёт владелец показателя" + (
            " (общий каталог: администратор)" if writer.indicator.owner_territory_id is None else ""
        )
        return Forbidden.at(["targets", index], msg)
    return Forbidden.at(["targets", index, "scope_id"], "Цель этой области меняют её аналитики")


async def write_targets(session: AsyncSession, writer: Writer, targets: list[ScopedTarget]) -> None:
    """Replace the caller's part of the targets with `targets` (see the module's docstring)."""
    _check_shapes(targets)
    stored = {
        key_of(t): t
        for t in await session.scalars(
            select(IndicatorTarget).where(IndicatorTarget.indicator_id == writer.indicator.id)
        )
    }
    changes: list[tuple[IndicatorTarget | None, ScopedTarget]] = []
    for index, target in enumerate(targets):
        key, current = key_of(target), stored.get(key_of(target))
        if writer.owns_target(key):
            if current is None or (current.op, current.value) != (target.op, target.value):
                await _check_new_target(writer, index, target)
                changes.append((current, target))
        elif not (
            current is not None
            and writer.sees_target(key)
            and (current.op, current.value) == (target.op, target.value)
        ):
            raise _refusal(writer, index, key)
    sent = {key_of(t) for t in targets}
    for key, current in stored.items():
        if key not in sent and writer.owns_target(key):
            await session.delete(current)
    for current, target in changes:
        if current is None:
            session.add(IndicatorTarget(indicator_id=writer.indicator.id, **target.model_dump()))
        else:
            current.op, current.value = target.op, target.value
    await session.flush()


async def write_roadmap_links(
    session: AsyncSession, writer: Writer, roadmap_ids: list[uuid.UUID]
) -> None:
    """Replace the caller's links (to roadmaps they may write) with `roadmap_ids`."""
    indicator_id = writer.indicator.id
    linked = set(
        await session.scalars(
            select(IndicatorRoadmap.roadmap_id).where(IndicatorRoadmap.indicator_id == indicator_id)
        )
    )
    wanted = list(dict.fromkeys(roadmap_ids))
    owners = {
        r.id: (r.owner_type, r.owner_id)
        for r in await session.execute(
            select(Roadmap.id, Roadmap.owner_type, Roadmap.owner_id).where(
                Roadmap.id.in_(linked | set(wanted))
            )
        )
    }
    reach = writer.reach
    add = []
    for index, roadmap_id in enumerate(roadmap_ids):
        if roadmap_id in roadmap_ids[:index]:
            continue  # a repeated id counts once
        owner = owners.get(roadmap_id)
        loc: list[str | int] = ["roadmap_ids", index]
        if owner is None or not reach.sees(*owner):
            raise NotFound.at(loc, "Дорожная карта не найдена")
        if reach.holds(*owner):
            owned = writer.indicator.owner_territory_id is not None
            if owned and not await writer.inside_owner(*owner):
                msg = "Дорожная карта вне территории, которой принадлежит показатель"
                raise Invalid.at(loc, msg)
            if roadmap_id not in linked:
                add.append(roadmap_id)
        elif roadmap_id not in linked:
            msg = "Показатели к этой дорожной карте привязывают аналитики её владельца"
            raise Forbidden.at(loc, msg)
    drop = [r for r in linked if r not in wanted and r in owners and reach.holds(*owners[r])]
    if drop:
        await session.execute(
            delete(IndicatorRoadmap).where(
                IndicatorRoadmap.indicator_id == indicator_id,
                IndicatorRoadmap.roadmap_id.in_(drop),
            )
        )
    if add:
        rows = [{"indicator_id": indicator_id, "roadmap_id": r} for r in add]
        await session.execute(insert(IndicatorRoadmap).values(rows))
    await session.flush()
