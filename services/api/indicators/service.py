"""The indicator catalogue: definitions checked against each other before they are stored."""

import uuid
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.indicators import params as p
from services.api.indicators.models import Indicator, IndicatorRoadmap, IndicatorTarget
from services.api.indicators.schemas import (
    IndicatorCreate,
    IndicatorRead,
    IndicatorUpdate,
    ScopedTarget,
    Target,
)
from services.api.roadmaps.models import Roadmap
from shared.auth import Principal, Role, require_roles
from shared.errors import Conflict, Invalid, NotFound
from shared.pagination import Pagination, paginate
from shared.periods import parse_period


def invalid(loc: list[str | int], message: str) -> Invalid:
    return Invalid(message, errors=[{"loc": ["body", *loc], "msg": message}])


async def _by_codes(session: AsyncSession, codes: set[str]) -> dict[str, Indicator]:
    if not codes:
        return {}
    rows = await session.scalars(select(Indicator).where(Indicator.code.in_(codes)))
    return {i.code: i for i in rows}


def references(method: str, parsed: p.Strict) -> set[str]:
    """The other indicators a definition is computed from."""
    if isinstance(parsed, p.OrganizationShareParams):
        return {parsed.indicator_code}
    if isinstance(parsed, p.FormulaParams):
        return parsed.references()
    return set()


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
        paths.extend([*path, nxt] for nxt in references(indicator.method, parsed))
    return None


def _check_unit(data: dict[str, Any], parsed: p.Strict, refs: dict[str, Indicator]) -> None:
    unit, method = data["unit"], data["method"]
    allowed = p.METHOD_UNITS.get(method)
    if isinstance(parsed, p.DataValueParams):
        allowed = p.VALUE_TYPE_UNITS[parsed.value_type]
    if isinstance(parsed, p.AssessmentMetricParams):
        allowed = p.ASSESSMENT_METRIC_UNITS.get(parsed.metric, ("percent",))
    if allowed and unit not in allowed:
        raise invalid(["unit"], f"Метод {method} даёт единицу {' или '.join(allowed)}, а не {unit}")
    if isinstance(parsed, p.OrganizationShareParams):
        source = refs[parsed.indicator_code]
        if source.level != "organization":
            raise invalid(["params", "indicator_code"], "Доля ОО считается по показателю уровня ОО")
        is_bool = isinstance(parsed.condition.value, bool)
        if is_bool != (source.unit == "boolean"):
            raise invalid(
                ["params", "condition", "value"], f"Условие не подходит к единице {source.unit}"
            )
    if isinstance(parsed, p.FormulaParams):
        units = {refs[c].unit for c in parsed.references()}
        if len(units) > 1:
            raise invalid(["params"], f"Формула смешивает единицы: {', '.join(sorted(units))}")


async def validate(session: AsyncSession, data: dict[str, Any]) -> p.Strict:
    """Method parameters, references, cycles and units; 422 naming the field otherwise."""
    try:
        parsed = p.parse_params(data["method"], data["params"])
    except ValidationError as exc:
        errors = [{"loc": ["body", "params", *e["loc"]], "msg": e["msg"]} for e in exc.errors()]
        raise Invalid("Параметры метода заданы неверно", errors=errors) from exc
    refs = references(data["method"], parsed)
    found = await _by_codes(session, refs)
    if missing := sorted(refs - set(found)):
        raise invalid(["params"], f"Неизвестные показатели: {', '.join(missing)}")
    if cycle := await _creates_cycle(session, data["code"], refs):
        raise invalid(
            ["params"], f"Показатели ссылаются друг на друга по кругу: {' → '.join(cycle)}"
        )
    _check_unit(data, parsed, found)
    return parsed


def _check_targets(targets: list[ScopedTarget]) -> None:
    for index, target in enumerate(targets):
        if target.period:
            try:
                parse_period(target.period)
            except ValueError as exc:
                raise invalid(["targets", index, "period"], str(exc)) from exc
        if (target.scope_type is None) != (target.scope_id is None):
            raise invalid(["targets", index, "scope_id"], "Укажите и вид, и идентификатор области")


async def _write_links(
    session: AsyncSession,
    indicator: Indicator,
    targets: list[ScopedTarget] | None,
    roadmap_ids: list[uuid.UUID] | None,
) -> None:
    if targets is not None:
        _check_targets(targets)
        await session.execute(
            delete(IndicatorTarget).where(IndicatorTarget.indicator_id == indicator.id)
        )
        session.add_all(
            IndicatorTarget(indicator_id=indicator.id, **t.model_dump()) for t in targets
        )
    if roadmap_ids is not None:
        known = set(await session.scalars(select(Roadmap.id).where(Roadmap.id.in_(roadmap_ids))))
        if missing := [str(r) for r in roadmap_ids if r not in known]:
            raise invalid(["roadmap_ids"], f"Дорожные карты не найдены: {', '.join(missing)}")
        await session.execute(
            delete(IndicatorRoadmap).where(IndicatorRoadmap.indicator_id == indicator.id)
        )
        if roadmap_ids:
            rows = [{"indicator_id": indicator.id, "roadmap_id": r} for r in set(roadmap_ids)]
            await session.execute(insert(IndicatorRoadmap).values(rows))
    await session.flush()


def _writers(principal: Principal) -> None:
    require_roles(principal, Role.territory_analyst)


async def create_indicator(
    session: AsyncSession, principal: Principal, data: IndicatorCreate
) -> Indicator:
    _writers(principal)
    fields = data.model_dump(exclude={"target", "targets", "roadmap_ids"})
    parsed = await validate(session, fields)
    indicator = Indicator(
        **fields | {"params": parsed.model_dump(mode="json", by_alias=True)},
        target_op=data.target.op if data.target else None,
        target_value=data.target.value if data.target else None,
    )
    session.add(indicator)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise Conflict(f"Показатель с кодом {data.code} уже есть", field="code") from exc
    await _write_links(session, indicator, data.targets, data.roadmap_ids)
    return indicator


async def get_indicator(session: AsyncSession, indicator_id: uuid.UUID) -> Indicator:
    indicator = await session.get(Indicator, indicator_id)
    if indicator is None:
        raise NotFound("Показатель не найден")
    return indicator


async def update_indicator(
    session: AsyncSession, principal: Principal, indicator_id: uuid.UUID, data: IndicatorUpdate
) -> Indicator:
    _writers(principal)
    indicator = await get_indicator(session, indicator_id)
    changes = data.model_dump(exclude_unset=True, exclude={"target", "targets", "roadmap_ids"})
    merged = {
        k: getattr(indicator, k) for k in ("code", "unit", "method", "params", "level")
    } | changes
    parsed = await validate(session, merged)
    for key, value in changes.items():
        setattr(indicator, key, value)
    indicator.params = parsed.model_dump(mode="json", by_alias=True)
    if "target" in data.model_fields_set:
        indicator.target_op = data.target.op if data.target else None
        indicator.target_value = data.target.value if data.target else None
    await _write_links(session, indicator, data.targets, data.roadmap_ids)
    return indicator


async def list_indicators(
    session: AsyncSession,
    page: Pagination,
    *,
    roadmap_id: uuid.UUID | None = None,
    method: str | None = None,
    level: str | None = None,
    codes: list[str] | None = None,
) -> tuple[list[Indicator], int]:
    """The catalogue is shared by every territory: anyone signed in may read it."""
    query = select(Indicator).order_by(Indicator.code)
    if roadmap_id is not None:
        linked = select(IndicatorRoadmap.indicator_id).where(
            IndicatorRoadmap.roadmap_id == roadmap_id
        )
        query = query.where(Indicator.id.in_(linked))
    if method is not None:
        query = query.where(Indicator.method == method)
    if level is not None:
        query = query.where(Indicator.level == level)
    if codes:
        query = query.where(Indicator.code.in_(codes))
    return await paginate(session, query, page)


async def read_indicators(
    session: AsyncSession, indicators: list[Indicator]
) -> list[IndicatorRead]:
    """With their targets and roadmaps: two queries for the whole list."""
    ids = [i.id for i in indicators]
    targets: dict[uuid.UUID, list[ScopedTarget]] = {i: [] for i in ids}
    for t in await session.scalars(
        select(IndicatorTarget).where(IndicatorTarget.indicator_id.in_(ids))
    ):
        targets[t.indicator_id].append(ScopedTarget.model_validate(t, from_attributes=True))
    roadmaps: dict[uuid.UUID, list[uuid.UUID]] = {i: [] for i in ids}
    rows = await session.execute(
        select(IndicatorRoadmap.indicator_id, IndicatorRoadmap.roadmap_id).where(
            IndicatorRoadmap.indicator_id.in_(ids)
        )
    )
    for indicator_id, roadmap_id in rows:
        roadmaps[indicator_id].append(roadmap_id)
    return [
        IndicatorRead(
            **{k: getattr(i, k) for k in IndicatorRead.model_fields if hasattr(i, k)},
            target=Target(op=i.target_op, value=i.target_value) if i.target_op else None,
            targets=sorted(targets[i.id], key=lambda t: (t.period or "", str(t.scope_id or ""))),
            roadmap_ids=sorted(roadmaps[i.id], key=str),
        )
        for i in indicators
    ]
