"""The indicator catalogue: definitions checked against each other before they are stored.

Who owns what: a definition without an owner territory is the global catalogue's, and only an
administrator changes it; a territory's own indicator is changed by the analysts of that territory
(and of those above it), and read only there and below. Targets and roadmap links are each
caller's own part (links.py). A definition refers only to indicators its owner sees: the global
ones, and for a territory's own also those of that territory and the territories above it.
"""

import uuid
from typing import Any

from pydantic import ValidationError
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.access import Access
from services.api.indicators.links import Writer, key_of, write_roadmap_links, write_targets
from services.api.indicators.models import Indicator, IndicatorRoadmap, IndicatorTarget
from services.api.indicators.reach import Reach
from services.api.indicators.schemas import (
    IndicatorCreate,
    IndicatorRead,
    IndicatorUpdate,
    ScopedTarget,
    ScopedTargetRead,
    TargetRead,
)
from services.api.indicators.stored_values import check_stored_values
from services.api.roadmaps.models import Roadmap
from services.api.territories.scope import DbScopeResolver
from shared import indicator_methods as p
from shared.errors import Conflict, Forbidden, Invalid, NotFound, field_error
from shared.identity import Principal, Role, ScopeType, require_roles
from shared.owners import Owners
from shared.pagination import Pagination, paginate, where_given
from shared.validation_messages import russian_message

# The fields of the definition (its owner's), as opposed to targets and roadmap links.
LINKS = frozenset({"target", "targets", "roadmap_ids"})


async def _by_codes(session: AsyncSession, codes: set[str]) -> dict[str, Indicator]:
    if not codes:
        return {}
    rows = await session.scalars(select(Indicator).where(Indicator.code.in_(codes)))
    return {i.code: i for i in rows}


async def _creates_cycle(session: AsyncSession, code: str, refs: set[str]) -> list[str] | None:
    """The chain back to `code` if following references from `refs` reaches it."""
    seen: set[str] = set()
    paths = [[r] for r in refs]
    while paths:
        path = paths.pop()
        current = path[-1]
        if current == code:
            return [code, *path]
        if current in seen:
            continue
        seen.add(current)
        indicator = (await _by_codes(session, {current})).get(current)
        if indicator is None:
            continue
        parsed = p.parse_params(indicator.method, indicator.params)
        paths.extend([*path, nxt] for nxt in p.references(indicator.method, parsed))
    return None


def _check_unit(data: dict[str, Any], parsed: p.Strict, refs: dict[str, Indicator]) -> None:
    unit, method = data["unit"], data["method"]
    allowed = p.METHOD_UNITS.get(method)
    if isinstance(parsed, p.DataValueParams):
        allowed = p.VALUE_TYPE_UNITS[parsed.value_type]
    if isinstance(parsed, p.AssessmentMetricParams):
        allowed = p.ASSESSMENT_METRIC_UNITS.get(parsed.metric, ("percent",))
    if allowed and unit not in allowed:
        raise Invalid.at(
            "unit", f"Метод {method} даёт единицу {' или '.join(allowed)}, а не {unit}"
        )
    if isinstance(parsed, p.OrganizationShareParams):
        source = refs[parsed.indicator_code]
        if source.level != "organization":
            raise Invalid.at(
                ["params", "indicator_code"], "Доля ОО считается по показателю уровня ОО"
            )
        is_bool = isinstance(parsed.condition.value, bool)
        if is_bool != (source.unit == "boolean"):
            raise Invalid.at(
                ["params", "condition", "value"], f"Условие не подходит к единице {source.unit}"
            )
    if isinstance(parsed, p.FormulaParams):
        units = {refs[c].unit for c in parsed.references()}
        if len(units) > 1:
            raise Invalid.at("params", f"Формула смешивает единицы: {', '.join(sorted(units))}")


async def validate(
    session: AsyncSession, data: dict[str, Any], referable: frozenset[uuid.UUID | None]
) -> p.Strict:
    """Method parameters, references (to indicators whose owner is in `referable`: None for the
    global catalogue), cycles and units; 422 naming the field otherwise."""
    try:
        parsed = p.parse_params(data["method"], data["params"])
    except ValidationError as exc:
        errors = [field_error(["params", *e["loc"]], russian_message(e)) for e in exc.errors()]
        raise Invalid("Параметры метода заданы неверно", errors=errors) from exc
    refs = p.references(data["method"], parsed)
    found = {
        code: i
        for code, i in (await _by_codes(session, refs)).items()
        if i.owner_territory_id in referable
    }
    if missing := sorted(refs - set(found)):
        raise Invalid.at("params", f"Неизвестные показатели: {', '.join(missing)}")
    if cycle := await _creates_cycle(session, data["code"], refs):
        raise Invalid.at(
            ["params"], f"Показатели ссылаются друг на друга по кругу: {' → '.join(cycle)}"
        )
    _check_unit(data, parsed, found)
    return parsed


PERCENT_TARGET = "Цель показателя в процентах — число от 0 до 100"


def _check_percent_target(unit: str, loc: list[str | int], value: float | None) -> None:
    """A percent indicator's value lies in 0–100 (never a fraction), and so must its target:
    one outside could never be met. 422 naming `loc`."""
    if unit == "percent" and value is not None and not 0 <= value <= 100:
        raise Invalid.at(loc, f"{PERCENT_TARGET}, а не {value:g}")


def _check_sent_targets(
    unit: str, target: TargetRead | None, targets: list[ScopedTarget] | None
) -> None:
    """The targets a request sends, against the indicator's unit (see _check_percent_target)."""
    if target is not None:
        _check_percent_target(unit, ["target", "value"], target.value)
    for index, scoped in enumerate(targets or []):
        _check_percent_target(unit, ["targets", index, "value"], scoped.value)


def fraction_warnings(
    unit: str, target: TargetRead | None, targets: list[ScopedTarget] | None
) -> list[str]:
    """A warning for each sent target of a percent indicator above 0 and at most 1: percents
    are 0–100, so 0.9 is most likely 90 % written as a share (accepted: «не более 1 %» is a
    target too, so the author is asked to check, not refused)."""
    if unit != "percent":
        return []
    sent = [("target", target.value)] if target is not None else []
    sent += [(f"targets[{i}]", t.value) for i, t in enumerate(targets or [])]
    return [
        f"Цель {value:g} ({where}) у показателя в процентах: проценты — от 0 до 100, а "
        f"{value:g} похоже на долю, записанную дробью; если имелось в виду {value * 100:g} %, "
        f"укажите {value * 100:g}"
        for where, value in sent
        if value is not None and 0 < value <= 1
    ]


async def _check_kept_targets(
    session: AsyncSession, indicator: Indicator, data: IndicatorUpdate
) -> None:
    """An indicator becoming a percent one: the targets it keeps (not sent anew) must fit
    0–100 too; 422 naming `unit`."""
    kept = [] if "target" in data.model_fields_set else [indicator.target_value]
    sent = {key_of(t) for t in data.targets or []}
    stored = await session.scalars(
        select(IndicatorTarget).where(IndicatorTarget.indicator_id == indicator.id)
    )
    kept += [t.value for t in stored if data.targets is None or key_of(t) not in sent]
    for value in kept:
        if value is not None and not 0 <= value <= 100:
            msg = f"{PERCENT_TARGET}: сначала измените цель {value:g}"
            raise Invalid.at("unit", msg)


def _writers(principal: Principal) -> None:
    require_roles(principal, Role.territory_analyst)


def defines(reach: Reach, principal: Principal, indicator: Indicator) -> bool:
    """May change the definition: the global catalogue an administrator, a territory's own
    indicator the analysts of that territory or above it."""
    if reach.unrestricted:
        return True
    owner = indicator.owner_territory_id
    return (
        principal.role == Role.territory_analyst
        and owner is not None
        and owner in reach.territories
    )


async def referable(
    scopes: DbScopeResolver, owner: uuid.UUID | None
) -> frozenset[uuid.UUID | None]:
    """Owners of the indicators a definition of this owner may refer to."""
    if owner is None:
        return frozenset({None})
    return frozenset({None, *(await scopes.resolve(ScopeType.territory, owner)).territory_ids})


async def create_indicator(access: Access, reach: Reach, data: IndicatorCreate) -> Indicator:
    """A new definition, with its targets and roadmap links (all the caller's: each inside
    their scope). Its owner: the territory asked for inside the caller's scope; by default none
    (global) for an administrator, their own territory for an analyst. 403 for roles that do
    not define indicators, 404 for an owner, target scope or roadmap outside the scope, 409 for
    a taken code, 422 naming the field for a definition that cannot be computed."""
    session, scopes, principal = access.session, access.scopes, access.principal
    _writers(principal)
    owners = Owners(principal, scopes)
    owner = await owners.owner_for_new(data.owner_territory_id, "owner_territory_id")
    fields = data.model_dump(exclude=LINKS | {"owner_territory_id"})
    parsed = await validate(session, fields, await referable(scopes, owner))
    _check_sent_targets(data.unit, data.target, data.targets)
    indicator = Indicator(
        **fields | {"params": parsed.model_dump(mode="json", by_alias=True)},
        owner_territory_id=owner,
        target_op=data.target.op if data.target else None,
        target_value=data.target.value if data.target else None,
    )
    session.add(indicator)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise Conflict(f"Показатель с кодом {data.code} уже есть", field="code") from exc
    writer = Writer(scopes, reach, indicator, defines=True)
    await write_targets(session, writer, data.targets)
    await write_roadmap_links(session, writer, data.roadmap_ids)
    return indicator


async def get_indicator(session: AsyncSession, reach: Reach, indicator_id: uuid.UUID) -> Indicator:
    """The definition, if the caller sees it (404 otherwise)."""
    indicator = await session.get(Indicator, indicator_id)
    if indicator is None or not _sees(reach, indicator):
        raise NotFound("Показатель не найден")
    return indicator


def _sees(reach: Reach, indicator: Indicator) -> bool:
    owner = indicator.owner_territory_id
    return reach.unrestricted or owner is None or owner in reach.owners


def _definition_changes(indicator: Indicator, data: IndicatorUpdate) -> dict[str, Any]:
    """The fields of the definition the update really changes (those sent as read are not)."""
    sent = data.model_dump(exclude_unset=True, exclude=LINKS)
    changed = {k: v for k, v in sent.items() if v != getattr(indicator, k)}
    if "target" in data.model_fields_set:
        now = (data.target.op, data.target.value) if data.target else (None, None)
        if now != (indicator.target_op, indicator.target_value):
            changed["target"] = data.target
    return changed


async def update_indicator(
    access: Access, reach: Reach, indicator_id: uuid.UUID, data: IndicatorUpdate
) -> Indicator:
    """Change the definition (its owner only: 403 for others who see it) and the caller's part
    of the targets and roadmap links (see links.py); 404 for what the caller does not see."""
    session, scopes, principal = access.session, access.scopes, access.principal
    _writers(principal)
    indicator = await get_indicator(session, reach, indicator_id)
    # Locked and read afresh: the definition is checked and its params rewritten from what a
    # concurrent change committed (a `method` and a `params` sent at once are checked together).
    await session.refresh(indicator, with_for_update=True)
    may_define = defines(reach, principal, indicator)
    changes = _definition_changes(indicator, data)
    if changes and not may_define:
        whose = "администратор" if indicator.owner_territory_id is None else "его владелец"
        msg = f"Определение показателя меняет {whose}"
        raise Forbidden(msg, errors=[field_error(k, msg) for k in sorted(changes)])
    unit = changes.get("unit", indicator.unit)
    _check_sent_targets(unit, changes.get("target"), data.targets)
    if unit == "percent" and indicator.unit != "percent":
        await _check_kept_targets(session, indicator, data)
    if "target" in changes:
        target = changes.pop("target")
        indicator.target_op = target.op if target else None
        indicator.target_value = target.value if target else None
    if changes:
        fields = ("code", "unit", "method", "params", "level")
        merged = {k: getattr(indicator, k) for k in fields} | changes
        referable_owners = await referable(scopes, indicator.owner_territory_id)
        parsed = await validate(session, merged, referable_owners)
        params = parsed.model_dump(mode="json", by_alias=True)
        await check_stored_values(session, indicator, merged["method"], merged["unit"], params)
        for key, value in changes.items():
            setattr(indicator, key, value)
        indicator.params = params
    writer = Writer(scopes, reach, indicator, defines=may_define)
    if data.targets is not None:
        await write_targets(session, writer, data.targets)
    if data.roadmap_ids is not None:
        await write_roadmap_links(session, writer, data.roadmap_ids)
    await session.flush()
    return indicator


async def list_indicators(
    session: AsyncSession,
    reach: Reach,
    page: Pagination,
    *,
    roadmap_id: uuid.UUID | None = None,
    method: str | None = None,
    level: str | None = None,
    codes: list[str] | None = None,
) -> tuple[list[Indicator], int]:
    """The definitions the caller sees: the global catalogue, and the own indicators of their
    territory, of those above it and (for an analyst) of those under it."""
    query = select(Indicator).order_by(Indicator.code)
    if not reach.unrestricted:
        query = query.where(
            or_(
                Indicator.owner_territory_id.is_(None),
                Indicator.owner_territory_id.in_(reach.owners),
            )
        )
    if roadmap_id is not None:
        linked = select(IndicatorRoadmap.indicator_id).where(
            IndicatorRoadmap.roadmap_id == roadmap_id
        )
        query = query.where(Indicator.id.in_(linked))
    query = where_given(query, (Indicator.method, method), (Indicator.level, level))
    if codes:
        query = query.where(Indicator.code.in_(codes))
    return await paginate(session, query, page)


async def read_indicators(
    session: AsyncSession, reach: Reach, indicators: list[Indicator]
) -> list[IndicatorRead]:
    """With the targets and roadmaps that apply to the caller (in their scope or above it; the
    others' are not shown): two queries for the whole list."""
    ids = [i.id for i in indicators]
    targets: dict[uuid.UUID, list[ScopedTargetRead]] = {i: [] for i in ids}
    for t in await session.scalars(
        select(IndicatorTarget).where(IndicatorTarget.indicator_id.in_(ids))
    ):
        if t.scope_type is None or t.scope_id is None or reach.sees(t.scope_type, t.scope_id):
            targets[t.indicator_id].append(ScopedTargetRead.model_validate(t, from_attributes=True))
    roadmaps: dict[uuid.UUID, list[uuid.UUID]] = {i: [] for i in ids}
    rows = await session.execute(
        select(IndicatorRoadmap.indicator_id, Roadmap.id, Roadmap.owner_type, Roadmap.owner_id)
        .join(Roadmap, Roadmap.id == IndicatorRoadmap.roadmap_id)
        .where(IndicatorRoadmap.indicator_id.in_(ids))
    )
    for indicator_id, roadmap_id, owner_type, owner_id in rows:
        if reach.sees(owner_type, owner_id):
            roadmaps[indicator_id].append(roadmap_id)
    return [
        IndicatorRead(
            **{k: getattr(i, k) for k in IndicatorRead.model_fields if hasattr(i, k)},
            target=TargetRead(op=i.target_op, value=i.target_value) if i.target_op else None,
            targets=sorted(targets[i.id], key=lambda t: (t.period or "", str(t.scope_id or ""))),
            roadmap_ids=sorted(roadmaps[i.id], key=str),
        )
        for i in indicators
    ]
