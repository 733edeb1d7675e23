"""`{lowest}` of an indicator recommendation about a territory: which of its organizations to
support, named — a recommendation addressed to an authority says whom, not only «the weakest».
A pure function over the engine's `Facts`, as the conditions are (engine.py)."""

import uuid
from typing import Any

from services.reports.indicator_values.methods.base import OPS
from services.reports.recommendations.candidates import Facts, number
from shared.templating import natural_key, quoted

# How many organizations `{lowest}` names before «и ещё N».
LOWEST_NAMED = 3


def lowest(item: dict[str, Any], definition: dict[str, Any], facts: Facts) -> str:
    """`{lowest}` of a territory's value: the organizations of the territory whose own values
    of the indicator are worst (by its direction; those short of the target when it has one),
    named with their values, worst first: «организаций с худшими значениями: «СОШ № 3»
    (12 %), «СОШ № 7» (15 %) и ещё 2». For a yes/no indicator, those with the unwanted
    answer, and for a share of organizations (`organization_share`) those on the unwanted
    side of its condition: «организаций, ухудшающих значение показателя: …». Without such values:
    the phrase alone. For an organization's value: empty."""
    if item.get("scope_type") != "territory":
        return ""
    scope = uuid.UUID(str(item["scope_id"]))
    code, unit = item["indicator_code"], definition.get("unit", "number")
    higher = definition.get("direction", "higher") != "lower"
    share = definition.get("method") == "organization_share"
    params = definition.get("params") or {}
    source = params.get("indicator_code") if share else code
    condition = params.get("condition") or {}
    by_name = share or unit == "boolean"
    words = (
        "организаций, ухудшающих значение показателя"
        if by_name
        else "организаций с худшими значениями"
    )
    own = []
    for org, theirs in facts.organization_values(source, scope):
        value = theirs.get("value")
        if value is None:
            continue
        if not _unwanted(theirs, condition if share else None, unit == "boolean", higher):
            continue
        own.append((value if higher else -value, facts.names.get(org, "—"), value))
    if not own:
        return words
    own.sort(key=lambda e: natural_key(e[1]) if by_name else (e[0], natural_key(e[1])))
    named = [
        quoted(name) if by_name else f"{quoted(name)} ({number(value, unit)})"
        for _, name, value in own[:LOWEST_NAMED]
    ]
    more = len(own) - LOWEST_NAMED
    return f"{words}: {', '.join(named)}" + (f" и ещё {more}" if more > 0 else "")


def _unwanted(
    theirs: dict[str, Any], condition: dict[str, Any] | None, boolean: bool, higher: bool
) -> bool:
    """Whether an organization's own value (`theirs`: value, status) worsens the territory's:
    for a share of organizations (`condition` its `{op, value}`), on the unwanted side of the
    condition (a yes/no value as 1/0; False when the condition is not one); for a yes/no
    indicator, the unwanted answer; else short of the target (status not «achieved»)."""
    value = theirs["value"]
    if condition is not None:
        op, target = OPS.get(condition.get("op", "")), condition.get("value")
        return op is not None and target is not None and op(float(value), float(target)) != higher
    if boolean:
        return value != (1 if higher else 0)
    return theirs.get("status") != "achieved"
