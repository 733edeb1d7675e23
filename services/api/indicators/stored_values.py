"""A definition change the indicator's stored data values would break is refused.

An import checks each value against the indicator's unit and `params` (services/api/data_values/
rows.py: a percent within 0–100, `min`/`max`, a count whole, a yes/no 0 or 1). A PATCH that
makes a count a percent while a school's 150 is stored, or lowers `max` under a stored value,
left values no import would now take in every report, unflagged. As a target kept past such a
change is (`service._check_kept_targets`), it is a 422 naming the field changed, saying how
many values and which: fix them (or widen the bounds) first.
"""

from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.data_values.models import DataValue
from services.api.data_values.rows import value_bounds
from services.api.indicators.models import Indicator
from services.api.organizations.models import Organization
from shared.errors import Invalid
from shared.reinterpreted import decimal_text
from shared.templating import quoted

SHOWN = 3  # values named in the message


def _bounds(unit: str, params: dict[str, Any]) -> list[ColumnElement[bool]]:
    """What a stored value breaks under the definition (rows.py's checks, in SQL)."""
    value = DataValue.value
    kind = params.get("value_type")
    if kind == "boolean":
        return [value.not_in((0.0, 1.0))]
    low, high = value_bounds(params)
    broken = []
    if low is not None:
        broken.append(value < low)
    if high is not None:
        broken.append(value > high)
    if unit == "count":
        broken.append(value != func.trunc(value))
    return broken


def _changed_field(
    indicator: Indicator, method: str, unit: str, params: dict[str, Any]
) -> list[str]:
    """The field the message names: the method, the unit, else the part of `params` that
    changed."""
    if method != indicator.method:
        return ["method"]
    if unit != indicator.unit:
        return ["unit"]
    for key in ("value_type", "min", "max"):
        if params.get(key) != (indicator.params or {}).get(key):
            return ["params", key]
    return ["params"]


async def check_stored_values(
    session: AsyncSession, indicator: Indicator, method: str, unit: str, params: dict[str, Any]
) -> None:
    """Invalid (422 naming `unit` or `params.<key>`) when stored data values of `indicator`
    (as it is before the change) break the definition `method` + `unit` + `params` (as
    parsed): how many, and the first `SHOWN` by period and organization («Школа 1»,
    2025/2026: 150). Values stay stored while an indicator is computed by another method, so
    they are checked whenever it becomes (again) a `data_value` one; nothing to check for one
    that is computed."""
    if method != "data_value":
        return
    broken = _bounds(unit, params)
    if not broken:
        return
    where = (DataValue.indicator_id == indicator.id, or_(*broken))
    count = await session.scalar(select(func.count()).select_from(DataValue).where(*where))
    if not count:
        return
    name = func.coalesce(Organization.short_name, Organization.name)
    rows = await session.execute(
        select(name, DataValue.period, DataValue.value)
        .join(Organization, Organization.id == DataValue.organization_id)
        .where(*where)
        .order_by(DataValue.period, name)
        .limit(SHOWN)
    )
    named = "; ".join(f"{quoted(o)}, {period}: {decimal_text(value)}" for o, period, value in rows)
    more = f" и ещё {count - SHOWN}" if count > SHOWN else ""
    raise Invalid.at(
        _changed_field(indicator, method, unit, params),
        f"уже внесённые значения показателя не подходят под новое определение ({count}): "
        f"{named}{more}. Сначала исправьте их или оставьте прежние границы",
    )
