"""The conditions over data quality (services/reports/data_quality): `low_reporting` (a school
late for a collection's window: report by a date) and `data_quality` (a school whose values
break validation rules or are flagged as outliers: check and fix them).

Pure functions over `Facts` (gathered in facts.py from the reports' facts), like engine.py's;
one recommendation per school (and collection), to its leader.
"""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from services.reports.data_quality.checks import IMPORTANCE_ORDER, Flag, Violation
from services.reports.recommendations.candidates import Candidate, Facts, candidate, number
from shared.labels import OUTLIER_CHECK_LABELS, OUTLIER_SIDE_LABELS
from shared.rule_words import sides_words, split_rule
from shared.templating import ru_plural


def _reporting_rule(rule: Any, facts: Facts) -> Iterator[Candidate]:
    """low_reporting: each school late for a collection's window (past due, incomplete)."""
    days = int(rule.params.get("days", 7))
    deadline = facts.today + timedelta(days=days) if facts.today else None
    for late in facts.late:
        org = late.organization_id
        yield candidate(
            rule,
            facts,
            org,
            f"collection:{late.collection_id}",
            fill={
                "where": facts.names.get(org, late.name),
                "period": facts.period,
                "collection": late.collection,
                "due_date": f"{late.due_date:%d.%m.%Y}",
                "missing": ", ".join(f"«{m}»" for m in late.missing) or "—",
                "expected": late.expected,
                "present": late.present,
                "completeness": number(late.completeness, "percent"),
                "deadline": f"{deadline:%d.%m.%Y}" if deadline else "—",
            },
            organization_id=org,
            territory_id=facts.org_territory.get(org, facts.territory_id),
            indicator_code=None,
            evidence={
                "collection_id": str(late.collection_id),
                "due_date": late.due_date.isoformat(),
                "expected": late.expected,
                "present": late.present,
                "completeness": late.completeness,
                "missing": list(late.missing),
            },
        )


def violation_text(v: Violation) -> str:
    """«Сдавших больше, чем обучающихся («Сдали ОГЭ» = 120; «Обучающихся всего» = 100)»: the
    rule's message and its sides' values, named (`shared.rule_words`)."""
    left, _, right = split_rule(v.expression)
    return f"{v.message} ({sides_words(left, right, v.left_value, v.right_value, v.names)})"


def flag_text(f: Flag) -> str:
    """«Обучающихся всего» = 5000 (выше верхней границы 3000), or the median compared with."""
    shown = f"«{f.indicator}» = {number(f.value, f.unit)}"
    if f.side:
        return f"{shown} ({OUTLIER_SIDE_LABELS[f.side]} {number(f.bound, f.unit)})"
    label = OUTLIER_CHECK_LABELS.get(f.kind, f.kind)
    return f"{shown} ({label}: медиана {number(f.median, f.unit)} по {f.n} значениям)"


def found_words(violations: int, outliers: int) -> str:
    """What the checks found, zeros left out: «2 нарушенных правила проверки и 1 возможный
    выброс», «1 возможный выброс» (a leader read «нарушенных правил проверки — 0»)."""
    parts = []
    if violations:
        rules = ru_plural(
            violations, "нарушенное правило", "нарушенных правила", "нарушенных правил"
        )
        parts.append(f"{violations} {rules} проверки")
    if outliers:
        words = ru_plural(outliers, "возможный выброс", "возможных выброса", "возможных выбросов")
        parts.append(f"{outliers} {words}")
    return " и ".join(parts)


def _data_quality_rule(rule: Any, facts: Facts) -> Iterator[Candidate]:
    """data_quality: each school whose values break a rule of at least `params.importance`
    (low: every rule) or are flagged by an outlier check (`params.checks`: all, violations,
    outliers), to its leader, naming each value to check."""
    floor = IMPORTANCE_ORDER[rule.params.get("importance", "low")]
    checks = rule.params.get("checks", "all")
    broken = [
        v
        for v in facts.violations
        if checks != "outliers" and IMPORTANCE_ORDER.get(v.importance, 9) <= floor
    ]
    flagged = facts.flags if checks != "violations" else []
    schools: dict[Any, tuple[list[Violation], list[Flag]]] = {}
    for v in broken:
        schools.setdefault(v.organization_id, ([], []))[0].append(v)
    for f in flagged:
        schools.setdefault(f.organization_id, ([], []))[1].append(f)
    for org, (violations, flags) in schools.items():
        # A value flagged by two checks is named once, with the first check's reason.
        named = {}
        for f in flags:
            named.setdefault(f.indicator_code, f)
        texts = [*map(violation_text, violations), *map(flag_text, named.values())]
        yield candidate(
            rule,
            facts,
            org,
            "data_quality",
            fill={
                "where": facts.names.get(org, (violations or flags)[0].organization),
                "period": facts.period,
                "violations": len(violations),
                "outliers": len(named),
                "found": found_words(len(violations), len(named)),
                "values": "; ".join(texts),
            },
            organization_id=org,
            territory_id=facts.org_territory.get(org, facts.territory_id),
            indicator_code=None,
            evidence={
                "violations": [
                    {
                        "rule_code": v.code,
                        "importance": v.importance,
                        "left_value": v.left_value,
                        "right_value": v.right_value,
                    }
                    for v in violations
                ],
                "outliers": [
                    {
                        "indicator_code": f.indicator_code,
                        "check": f.kind,
                        "value": f.value,
                        "bound": f.bound,
                        "median": f.median,
                        "n": f.n,
                        "score": f.score,
                    }
                    for f in flags
                ],
            },
        )


EVALUATORS = {"low_reporting": _reporting_rule, "data_quality": _data_quality_rule}
