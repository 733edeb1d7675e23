"""The computation of indicator values before the facts, kept as a test oracle: inputs fetched
over HTTP from the api and surveys services, values computed in Python by the `Calculator`.

`calculator_items` answers what `GET /v1/indicator-values` answered from these: a test
compares it, value by value, with the SQL over the reports service's facts.
"""

import uuid
from typing import Any

from services.reports.clients.api import ApiClient
from services.reports.clients.surveys import SurveysClient
from services.reports.indicator_values import service
from shared.auth import ScopeInfo
from shared.context import user_token_var
from shared.periods import period_or_invalid


async def calculator_items(
    apps, token: str, scope: ScopeInfo, period: str, *, public: bool
) -> list[dict[str, Any]]:
    """Every indicator's items for the scope and everything inside it, computed by the
    Calculator from what the peers answer to the user of `token`."""
    peers = apps.reports.state.peers
    reset = user_token_var.set(token)
    try:
        items, missing, _ = await service._compute(
            ApiClient(peers["api"]),
            SurveysClient(peers["surveys"]),
            scope,
            period_or_invalid(period),
            None,
            "all",
            public,
        )
    finally:
        user_token_var.reset(reset)
    assert not missing, missing
    return items


def keyed(items: list[dict[str, Any]]) -> dict[tuple[str, str, uuid.UUID], dict[str, Any]]:
    """Items by (indicator, scope type, scope id)."""
    return {(i["indicator_code"], i["scope_type"], uuid.UUID(str(i["scope_id"]))): i for i in items}


# field -> how far two answers may be apart: a figure rounded to 2 (4) decimals may differ by
# one in its last place when the unrounded one lies at a tie, for float sums added in another
# order (the Calculator's own order follows a frozenset's, so it is not fixed either).
FIELDS = {
    "value": 0.01,
    "numerator": 0.0001,
    "denominator": 0.0001,
    "n": 0,
    "status": 0,
    "target": 0,
    "previous_value": 0.01,
    "change": 0.01,
    "coverage": 0.01,
    "missing": 0,
}


def differences(
    expected: list[dict[str, Any]], actual: list[dict[str, Any]]
) -> list[tuple[Any, ...]]:
    """Every (item key, field, expected, actual) that differs, and items only one side has."""
    want, got = keyed(expected), keyed(actual)
    found: list[tuple[Any, ...]] = [(k, "only in oracle") for k in want.keys() - got.keys()]
    found += [(k, "only in SQL") for k in got.keys() - want.keys()]
    for key in sorted(want.keys() & got.keys(), key=str):
        for name, tolerance in FIELDS.items():
            a, b = want[key].get(name), got[key].get(name)
            if not _same(a, b, tolerance):
                found.append((key, name, a, b))
    return found


def _same(a: Any, b: Any, tolerance: float) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k], tolerance) for k in a)
    if isinstance(a, int | float) and isinstance(b, int | float):
        return abs(a - b) <= tolerance + 1e-9 * max(1.0, abs(a))
    return a == b
