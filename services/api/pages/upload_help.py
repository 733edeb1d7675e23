"""What «Загрузить данные» tells a visitor to fill (data_uploads.py): the indicators their open
data collections ask for in their current period, by code with name, what a value is and the
period, so a leader need not guess the codes the file's «Показатель» column takes; and a
school of theirs for the example and the template (their own for a leader, the first of their
territory for an analyst), never a name the import would refuse.
"""

import math
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from services.api.access import Access
from services.api.collections import service
from services.api.data_values.rows import value_bounds
from services.api.indicators.models import Indicator
from services.api.organizations.models import Organization
from services.api.pages.data_collections import current_window
from shared.pagination import Pagination
from shared.reinterpreted import decimal_text
from shared.scope import readable_organizations
from shared.templating import natural_key

SHOWN_COLLECTIONS = 50  # the open collections read, as the homes' cards
# What a cell of the «Значение» column holds, by the indicator's unit and value type.
VALUE_WORDS = {
    "boolean": "да / нет",
    "percent": "процент, от 0 до 100",
    "count": "целое число",
    "score": "число (балл)",
    "number": "число",
}


@dataclass(frozen=True)
class Asked:
    """An indicator an open collection asks for: its code, name, what a value is, a value the
    import takes (the page's example row), the collection's current period and name."""

    code: str
    name: str
    value: str
    example: str
    period: str
    collection: str


async def asked(access: Access, today: date) -> list[Asked]:
    """The indicators of the visitor's open collections (those with a window opened by
    `today`) in their current period, each (code, period) once, by collection then name; two
    queries and the collections' own."""
    found, _ = await service.list_collections(access, Pagination(limit=SHOWN_COLLECTIONS, offset=0))
    wanted: dict[tuple[str, str], str] = {}
    for collection in await service.read_collections(access.session, found):
        window = current_window(collection, today)
        for code in collection.indicator_codes if window is not None else ():
            wanted.setdefault((code, window.period), collection.name)
    if not wanted:
        return []
    rows = await access.session.execute(
        select(Indicator.code, Indicator.name, Indicator.unit, Indicator.params).where(
            Indicator.code.in_({code for code, _ in wanted})
        )
    )
    known = {code: (name, unit, params or {}) for code, name, unit, params in rows}
    listed = [
        Asked(
            code,
            known[code][0],
            _value_words(*known[code][1:]),
            example_value(*known[code][1:]),
            period,
            collection,
        )
        for (code, period), collection in wanted.items()
        if code in known
    ]
    return sorted(listed, key=lambda a: (natural_key(a.collection), natural_key(a.name)))


def _value_words(unit: str, params: dict) -> str:
    """What a value is, with the indicator's own bounds when it has them: «процент, от 0 до
    50» for a percent whose `max` is 50, not the 0 to 100 a row of 64,5 would then be
    refused against."""
    kind = params.get("value_type")
    words = VALUE_WORDS.get(kind if kind in ("boolean", "percent") else unit, "число")
    if kind == "boolean":
        return words
    low, high = value_bounds(params)
    if kind == "percent":
        return f"процент, от {decimal_text(float(low or 0))} до {decimal_text(float(high or 100))}"
    if low is not None and high is not None:
        return f"{words}, от {decimal_text(float(low))} до {decimal_text(float(high))}"
    if low is not None:
        return f"{words}, не меньше {decimal_text(float(low))}"
    if high is not None:
        return f"{words}, не больше {decimal_text(float(high))}"
    return words


# The example's value, by the indicator's unit and value type, when its bounds take it.
EXAMPLES = {"percent": 64.5, "count": 42.0}


def example_value(unit: str, params: dict) -> str:
    """A value, as a file's cell holds it, the import takes for an indicator of this unit and
    `params` («да»; 64,5 for a percent; 42 for a count; 12,5 else), moved within its `min`
    and `max` (`data_values.rows.value_bounds`) when it lies outside them: «12,5» for a score
    of 1 to 5 is a row the import would refuse."""
    kind = params.get("value_type")
    if kind == "boolean":
        return "да"
    value = EXAMPLES.get(kind if kind == "percent" else unit, 12.5)
    low, high = value_bounds(params)
    if low is not None and high is not None and not low <= value <= high:
        value = (low + high) / 2
    elif low is not None and value < low:
        value = low
    elif high is not None and value > high:
        value = high
    value = float(value)
    if unit == "count" and not value.is_integer():
        value = math.ceil(value) if high is None or math.ceil(value) <= high else math.floor(value)
    return decimal_text(float(value))


async def example_school(access: Access, own_name: str | None) -> str | None:
    """The school the page's example and template name: the leader's own (`own_name`), else
    the first by name of the organizations the visitor reads (None: none)."""
    if own_name:
        return own_name
    readable = await readable_organizations(access.principal, access.scopes)
    name = func.coalesce(Organization.short_name, Organization.name)
    query = select(name).order_by(name).limit(1)
    if readable is not None:
        if not readable:
            return None
        query = query.where(Organization.id.in_(list(readable)))
    return await access.session.scalar(query)
