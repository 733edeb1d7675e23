"""НОК УООД: indicators, criteria, the total and the ranking, from counts. No I/O.

Every weight and point value comes from `weights.json` (they change by order). An
organization's inputs are one flat mapping of counts: `respondents`, the "да" answers per
survey item (`nok_01`...`nok_14`) and the expert checklist values (`nok_info_stand_items`...).
A code absent from the mapping is "no data"; a zero denominator is "no data" for that term.

Rounding follows the published reports: each indicator (П) to 2 decimals, each criterion (К)
from the rounded indicators, the total from the rounded criteria.
"""

import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any

WEIGHTS_PATH = Path(__file__).with_name("weights.json")

Weights = dict[str, Any]


@cache
def load_weights(path: Path = WEIGHTS_PATH) -> Weights:
    """The method's weights, point values and note templates."""
    return json.loads(path.read_text(encoding="utf-8"))


def r2(value: float) -> float:
    """Half up to 2 decimals, as reports round (not Python's round-half-even)."""
    return float(Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@dataclass
class Term:
    """One computed value, or None with the reason it has no data."""

    value: float | None
    reason: str | None = None
    notes: list[str] = field(default_factory=list)


def checklist_name(weights: Weights, code: str) -> str:
    """A checklist indicator as a reader knows it: «its name» (`data_value_names`, see
    inputs.with_checklist_names), or its code when the name is not known."""
    return f"«{weights.get('data_value_names', {}).get(code, code)}»"


def _missing_reason(weights: Weights, code: str) -> str:
    if code in weights["data_value_codes"]:
        return f"нет значения {checklist_name(weights, code)}"
    if code in weights.get("withheld_items", ()):  # service.organization_counts
        return weights["notes"]["survey_item_withheld"]
    return "нет результатов анкетирования"


def _weighted(values: dict[str, float], weights: dict[str, float]) -> float:
    """Weighted mean over the available terms: their weights rescaled to sum to one."""
    total = sum(weights[k] for k in values)
    return sum(weights[k] * v for k, v in values.items()) / total


def shares(weights: Weights, spec: dict[str, Any], counts: dict[str, float]) -> Term:
    """Σ weight·(numerator/denominator)·100 over the parts; a part with a zero or missing
    denominator is dropped and the others' weights rescaled."""
    values: dict[str, float] = {}
    part_weights: dict[str, float] = {}
    dropped: list[tuple[str, str]] = []  # (part, why)
    for part in spec["parts"]:
        name, num, den = part["name"], part["numerator"], part["denominator"]
        part_weights[name] = part["weight"]
        if num not in counts or den not in counts:
            dropped.append((name, _missing_reason(weights, den if den not in counts else num)))
        elif counts[den] == 0:
            dropped.append((name, f"{den} = 0"))
        else:
            values[name] = counts[num] / counts[den] * 100
    if not values:
        return Term(None, "; ".join(dict.fromkeys(why for _, why in dropped)))
    template = weights["notes"]["part_dropped"]
    notes = [template.format(indicator=spec["name"], part=part, why=why) for part, why in dropped]
    return Term(r2(_weighted(values, part_weights)), notes=notes)


def points(weights: Weights, spec: dict[str, Any], counts: dict[str, float]) -> Term:
    """`points` per condition present, at most `max`."""
    code = spec["count"]
    if code not in counts:
        return Term(None, _missing_reason(weights, code))
    return Term(r2(min(counts[code] * spec["points"], spec["max"])))


KINDS = {"shares": shares, "points": points}


def indicator(weights: Weights, code: str, counts: dict[str, float]) -> Term:
    """One П of the method."""
    spec = weights["indicators"][code]
    return KINDS[spec["kind"]](weights, spec, counts)


def criterion(weights: Weights, code: str, indicators: dict[str, Term]) -> Term:
    """One К: weighted indicators; those without data are left out and the weights rescaled."""
    spec = weights["criteria"][code]
    available = {k: t.value for k, t in indicators.items() if k in spec["weights"]}
    values = {k: v for k, v in available.items() if v is not None}
    label = f"{spec['label']} «{spec['name']}»"
    if not values:
        reasons = dict.fromkeys(indicators[k].reason for k in spec["weights"])
        message = weights["notes"]["criterion_no_data"].format(criterion=label)
        return Term(None, "; ".join(r for r in reasons if r), notes=[message])
    template = weights["notes"]["indicator_no_data"]
    notes = [
        template.format(
            indicator=weights["indicators"][k]["name"],
            reason=indicators[k].reason,
            criterion=spec["label"],
        )
        for k in spec["weights"]
        if indicators[k].value is None
    ]
    return Term(r2(_weighted(values, spec["weights"])), notes=notes)


def evaluate(counts: dict[str, float], weights: Weights | None = None) -> dict[str, Any]:
    """Every П, К and the total of one organization, with notes on what had no data."""
    weights = weights or load_weights()
    indicators = {code: indicator(weights, code, counts) for code in weights["indicators"]}
    criteria = {code: criterion(weights, code, indicators) for code in weights["criteria"]}
    notes = [n for t in indicators.values() for n in t.notes]
    notes += [n for t in criteria.values() for n in t.notes]
    missing = [weights["criteria"][c]["label"] for c, t in criteria.items() if t.value is None]
    total = None
    if missing:
        notes.append(weights["notes"]["total_no_data"].format(criteria=", ".join(missing)))
    else:
        values = {code: t.value for code, t in criteria.items() if t.value is not None}
        total = r2(_weighted(values, weights["total"]))
    return {
        **{code: t.value for code, t in criteria.items()},
        "total": total,
        "indicators": {code: t.value for code, t in indicators.items()},
        "notes": list(dict.fromkeys(notes)),
    }


def rank(totals: dict[Any, float | None]) -> dict[Any, int | None]:
    """Competition ranking by total, highest first (1, 1, 3); no total, no rank."""
    ranked = sorted((v for v in totals.values() if v is not None), reverse=True)
    return {k: None if v is None else ranked.index(v) + 1 for k, v in totals.items()}


def territory_total(totals: list[float | None]) -> float | None:
    """Mean of the organizations' totals (those that have one)."""
    values = [t for t in totals if t is not None]
    return r2(sum(values) / len(values)) if values else None
