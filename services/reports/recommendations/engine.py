"""Evaluate the rules over the computed facts: which recommendations they give, to whom, why.

Pure functions over `Facts` (gathered in facts.py): no I/O here, so each condition is easy to
test and to read. A recommendation's identity is (rule, addressee, subject, period): the same
facts give the same id on recomputation, and a changed number updates its text and evidence.
"""

import uuid
from collections.abc import Iterator
from typing import Any

from services.reports.pd_order.compute import without_mentors
from services.reports.recommendations import analysis_conditions, quality_conditions
from services.reports.recommendations.candidates import (
    TERRITORY_ADDRESSEES,
    UNITS,
    Candidate,
    Facts,
    candidate,
    number,
    percent_of,
    programme_titles,
    programmes_for,
    stable_id,
)
from services.reports.recommendations.comparability import (
    MIN_COVERAGE,
    comparable,
    kept,
    not_comparable,
)
from services.reports.recommendations.lowest import lowest
from services.reports.recommendations.rules import CONDITIONS
from shared.comparison import COMPARE
from shared.templating import quoted
from shared.value_labels import counted_basis

__all__ = ["Candidate", "Facts", "evaluate", "number", "stable_id"]

OPS = {">=": "не менее ", "<=": "не более ", ">": "более ", "<": "менее ", "=": "", "==": ""}


def _worse(a: float, b: float, direction: str) -> bool:
    return a > b if direction == "lower" else a < b


def _indicator_items(rule: Any, facts: Facts) -> Iterator[tuple[dict[str, Any], str]]:
    """This period's items the rule looks at, with the scope type they are about."""
    wanted = set(rule.params.get("indicator_codes") or facts.definitions)
    level = "territory" if rule.addressee_type in TERRITORY_ADDRESSEES else "organization"
    for (code, scope_type, _), item in sorted(facts.values.items(), key=lambda kv: str(kv[0])):
        if code in wanted and scope_type == level and item.get("value") is not None:
            yield item, level


def _previous_comparable(
    rule: Any, item: dict[str, Any], level: str, unit: str, facts: Facts
) -> tuple[bool | None, str | None]:
    """Whether the item's (of a scope of type `level`) `previous_value` may be compared with
    its value (`comparability.not_comparable`, the rule's `min_coverage` or 50 %), and when not
    why, in Russian; (None, None) without a previous value."""
    if item.get("previous_value") is None:
        return None, None
    scope = uuid.UUID(str(item["scope_id"]))
    before = facts.earlier.get((item["indicator_code"], level, scope)) or {}
    why = not_comparable(
        (facts.previous, before.get("coverage")),
        (facts.period, item.get("coverage")),
        unit,
        float(rule.params.get("min_coverage", MIN_COVERAGE)),
    )
    return why is None, why


def _indicator_fill(
    item: dict[str, Any], definition: dict[str, Any], facts: Facts, why: str | None
) -> dict:
    """The placeholders of an indicator's rule. `{previous}` and `{change}` compare with the
    previous period only when the two values are comparable (`why`: the reason they are not,
    `_previous_comparable`); when not they say so instead of a number: «нет сопоставимого
    значения (значения несопоставимы: за 2020/2021 — по 1 из 3 организаций, …)», «не
    оценивается (…)»."""
    unit = definition.get("unit", "number")
    target = item.get("target")
    previous, change = number(item.get("previous_value"), unit), number(item.get("change"), unit)
    if why:
        previous, change = f"нет сопоставимого значения ({why})", f"не оценивается ({why})"
    return {
        "indicator": definition.get("name", item["indicator_code"]),
        "code": item["indicator_code"],
        "value": number(item["value"], unit),
        "target": (
            f"{OPS.get(target['op'], target['op'] + ' ')}{number(target['value'], unit)}"
            if target
            else "не задано"
        ),
        "unit": UNITS.get(unit, "").strip(),
        "n": item.get("n") if item.get("n") is not None else "—",
        "basis": counted_basis(item.get("n"), definition.get("method")),
        "previous": previous,
        "change": change,
        "period": facts.period,
        "where": facts.names.get(uuid.UUID(str(item["scope_id"])), "—"),
        "lowest": lowest(item, definition, facts),
    }


def _evidence(item: dict[str, Any], **more: Any) -> dict[str, Any]:
    """What an indicator's recommendation rests on: the item's figures, its `coverage` (the
    organizations it is made of, `comparability.kept`: what a decision taken on it keeps as
    its baseline's) and `more`."""
    keys = ("indicator_code", "scope_type", "scope_id", "period", "value", "numerator")
    keys += ("denominator", "n", "target", "status", "previous_value", "change")
    return {
        **{k: item.get(k) for k in keys},
        "scope_id": str(item["scope_id"]),
        "coverage": kept(item.get("coverage")),
        **more,
    }


def _indicator_rule(rule: Any, facts: Facts) -> Iterator[Candidate]:
    for item, level in _indicator_items(rule, facts):
        code = item["indicator_code"]
        definition = facts.definitions.get(code, {})
        unit, direction = definition.get("unit", "number"), definition.get("direction", "higher")
        compared, why = _previous_comparable(rule, item, level, unit, facts)
        fill = _indicator_fill(item, definition, facts, why)
        more: dict[str, Any] = {}
        if compared is not None:
            more["previous_comparable"] = compared
            if why:
                more["previous_not_comparable"] = why
        if rule.condition == "indicator_not_achieved":
            if item.get("status") != "not_achieved":
                continue
        elif rule.condition == "indicator_below":
            threshold = float(rule.params["threshold"])
            if not _worse(item["value"], threshold, direction):
                continue
            fill["threshold"] = number(threshold, unit)
            more["threshold"] = threshold
        else:  # indicator_falling: worse than last period, which was worse than the one before
            scope = uuid.UUID(str(item["scope_id"]))
            before = facts.earlier.get((code, level, scope)) or {}
            previous, oldest = item.get("previous_value"), before.get("previous_value")
            if previous is None or oldest is None:
                continue
            first = facts.earliest_values.get((code, level, scope)) or {}
            min_coverage = float(rule.params.get("min_coverage", MIN_COVERAGE))
            if not comparable([first, before, item], unit, min_coverage):
                continue
            fell = _worse(item["value"], previous, direction)
            if not (fell and _worse(previous, oldest, direction)):
                continue
            fill["values"] = " → ".join(number(v, unit) for v in (oldest, previous, item["value"]))
            more["values"] = {
                facts.earliest: oldest,
                facts.previous: previous,
                facts.period: item["value"],
            }
        scope_id = uuid.UUID(str(item["scope_id"]))
        yield candidate(
            rule,
            facts,
            scope_id,
            f"indicator:{code}",
            fill=fill,
            organization_id=scope_id if level == "organization" else None,
            territory_id=facts.org_territory.get(scope_id, scope_id),
            indicator_code=code,
            evidence=_evidence(item, **more),
        )


def _competence_rule(rule: Any, facts: Facts) -> Iterator[Candidate]:
    min_share = float(rule.params["min_share"])
    min_teachers = int(rule.params.get("min_teachers", 1))
    shared: dict[str, list[tuple[uuid.UUID, int, int]]] = {}
    for (org, competence), (n, with_deficit) in sorted(facts.deficits.items(), key=str):
        if n and with_deficit >= min_teachers and COMPARE[">="](100 * with_deficit / n, min_share):
            shared.setdefault(competence, []).append((org, n, with_deficit))
    for competence, schools in sorted(shared.items()):
        title = facts.competence_titles.get(competence, competence)
        programmes = programmes_for({competence}, facts)
        extra = [
            {"kind": "pd_programme", "programme_code": p["code"], "text": p["title"]}
            for p in programmes
        ]
        if rule.addressee_type == "organization_leader":
            for org, n, with_deficit in schools:
                yield candidate(
                    rule,
                    facts,
                    org,
                    f"competence:{competence}",
                    fill={
                        "competence": title,
                        "with_deficit": with_deficit,
                        "teachers": n,
                        "share": percent_of(with_deficit, n),
                        "where": facts.names.get(org, "—"),
                        "schools": facts.names.get(org, "—"),
                        "period": facts.period,
                        "programmes": programme_titles(programmes),
                    },
                    extra_actions=extra,
                    organization_id=org,
                    territory_id=facts.org_territory.get(org, facts.territory_id),
                    indicator_code=None,
                    evidence={
                        "competence": competence,
                        "teachers": n,
                        "with_deficit": with_deficit,
                        "share": round(100 * with_deficit / n, 1),
                        "min_share": min_share,
                    },
                )
            continue
        teachers = sum(n for _, n, _ in schools)
        with_deficit = sum(d for _, _, d in schools)
        listed = ", ".join(
            f"{quoted(facts.names.get(o, '—'))} ({d} из {n})"
            for o, n, d in sorted(schools, key=lambda s: facts.names.get(s[0], ""))
        )
        yield candidate(
            rule,
            facts,
            facts.territory_id,
            f"competence:{competence}",
            fill={
                "competence": title,
                "with_deficit": with_deficit,
                "teachers": teachers,
                "share": percent_of(with_deficit, teachers),
                "where": facts.names.get(facts.territory_id, "—"),
                "schools": listed,
                "period": facts.period,
                "programmes": programme_titles(programmes),
            },
            extra_actions=extra,
            organization_id=None,
            territory_id=facts.territory_id,
            indicator_code=None,
            evidence={
                "competence": competence,
                "teachers": teachers,
                "with_deficit": with_deficit,
                "min_share": min_share,
                "organizations": [
                    {"organization_id": str(o), "teachers": n, "with_deficit": d}
                    for o, n, d in schools
                ],
            },
        )


def _teacher_rule(rule: Any, facts: Facts) -> Iterator[Candidate]:
    for route in facts.routes:
        deficits = route.get("deficits") or []
        if not deficits:
            continue
        steps = route.get("steps") or []
        programmes = [s["programme"] for s in steps if s.get("programme")]
        # The competences where the school has a strong colleague to mentor, never who: the
        # text is the teacher's, and a mentor's name would tell them a colleague's result.
        mentored = sorted(
            {
                f"«{c.get('title') or c.get('code')}»"
                for s in steps
                for c in s.get("competences") or []
                if isinstance(c, dict) and c.get("mentor")
            }
        )
        org = uuid.UUID(str(route["organization_id"]))
        staff = uuid.UUID(str(route["staff_id"]))
        yield candidate(
            rule,
            facts,
            staff,
            "deficits",
            fill={
                "teacher": route.get("full_name", ""),
                "deficits": ", ".join(
                    f"«{d.get('title') or d.get('code')}» ({number(d.get('share'), 'percent')})"
                    for d in deficits
                ),
                "programmes": programme_titles(programmes),
                "mentors": (
                    f"Наставника по {'компетенции' if len(mentored) == 1 else 'компетенциям'} "
                    f"{', '.join(mentored)} из числа коллег "
                    "назначит руководитель организации."
                    if mentored
                    else ""
                ),
                "where": facts.names.get(org, "—"),
                "period": facts.period,
            },
            extra_actions=[
                {"kind": "pd_programme", "programme_code": p.get("code"), "text": p.get("title")}
                for p in programmes
            ],
            organization_id=org,
            territory_id=facts.org_territory.get(org, facts.territory_id),
            indicator_code=None,
            evidence={"deficits": deficits, "steps": without_mentors(steps)},
        )


def _response_rule(rule: Any, facts: Facts) -> Iterator[Candidate]:
    threshold = float(rule.params["threshold"])
    state = rule.params.get("state", "open")
    key = "territories" if rule.addressee_type in TERRITORY_ADDRESSEES else "organizations"
    for campaign in facts.campaigns:
        if campaign.get("state", "open") != state:
            # An ended campaign cannot be reminded about; one not yet open, or in the first half
            # of its window ("early"), cannot be judged by its response rate yet.
            continue
        for scope, (n, expected) in sorted(campaign[key].items(), key=str):
            if not expected or COMPARE[">="](100 * n / expected, threshold):
                continue
            yield candidate(
                rule,
                facts,
                scope,
                f"campaign:{campaign['id']}",
                fill={
                    "campaign": campaign["title"],
                    "responses": n,
                    "expected": expected,
                    "rate": percent_of(n, expected),
                    "threshold": number(threshold, "percent"),
                    "where": facts.names.get(scope, "—"),
                    "period": facts.period,
                    "closes": campaign.get("closes") or "—",
                },
                organization_id=scope if key == "organizations" else None,
                territory_id=facts.org_territory.get(scope, scope),
                indicator_code=None,
                evidence={
                    "campaign_id": str(campaign["id"]),
                    "state": state,
                    "responses": n,
                    "expected": expected,
                    "rate": round(100 * n / expected, 1),
                    "threshold": threshold,
                },
            )


EVALUATORS = {
    "indicator_not_achieved": _indicator_rule,
    "indicator_below": _indicator_rule,
    "indicator_falling": _indicator_rule,
    "competence_deficit_shared": _competence_rule,
    "teacher_deficit": _teacher_rule,
    "low_response_rate": _response_rule,
    **analysis_conditions.EVALUATORS,
    **quality_conditions.EVALUATORS,
}
assert set(EVALUATORS) == set(CONDITIONS)


def evaluate(rules: list[Any], facts: Facts) -> list[Candidate]:
    """Every recommendation the active rules give on these facts, each once; none about an
    organization not open in the period (`Facts.absent`: its leader, teachers, values)."""
    found: dict[uuid.UUID, Candidate] = {}
    for rule in rules:
        if rule.active:
            for candidate in EVALUATORS[rule.condition](rule, facts):
                if candidate.organization_id in facts.absent:
                    continue
                found.setdefault(candidate.id, candidate)
    return list(found.values())
