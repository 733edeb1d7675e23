"""The indicators Soko ships: the НОК УООД expert checklist values schools are rated on.

They are reference data, added at the api's start when missing (`sync_shipped_indicators`);
the reports service's НОК method (services/reports/quality_evaluation/weights.json,
`data_value_codes`) reads their data values by code.
"""

import json
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.indicators.models import Indicator

DATA = Path(__file__).parent / "data"


@cache
def shipped_indicators() -> tuple[dict[str, Any], ...]:
    """Every indicator of the data files (`data/*.json`: {"source", "indicators": [...]}), each
    {"code", "name", "description", "min", "max"?}: global, organization level, method
    `data_value` with a number value."""
    items: list[dict[str, Any]] = []
    for path in sorted(DATA.glob("*.json")):
        items.extend(json.loads(path.read_text(encoding="utf-8"))["indicators"])
    return tuple(items)


def shipped_codes() -> set[str]:
    """The codes of the shipped indicators."""
    return {item["code"] for item in shipped_indicators()}


async def sync_shipped_indicators(session: AsyncSession) -> int:
    """Add the shipped indicators whose code has none yet; how many were added.

    A code already stored is left alone, whoever stored it and however it was edited since:
    the start of the api never overwrites a definition."""
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtext('soko.api.indicators'))"))
    codes = shipped_codes()
    known = set(await session.scalars(select(Indicator.code).where(Indicator.code.in_(codes))))
    added = 0
    for item in shipped_indicators():
        if item["code"] in known:
            continue
        bounds = {key: item[key] for key in ("min", "max") if key in item}
        session.add(
            Indicator(
                code=item["code"],
                name=item["name"],
                description=item["description"],
                unit="count",
                level="organization",
                method="data_value",
                params={"value_type": "number", **bounds},
                collection_method="Экспертная проверка оператора НОК УООД",
            )
        )
        added += 1
    await session.flush()
    return added
