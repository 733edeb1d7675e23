"""Recommendation rules are data: what each condition means, which numbers its template may use.

A rule pairs a condition (with its parameters) with an addressee type, a Russian text template
whose `{placeholders}` are filled with the numbers that triggered it, and suggested actions.
The default set (default_rules.json) is added at start-up when a code is absent; edits made
through the API are never overwritten.
"""

import json
import string
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.recommendations.models import RecommendationRule
from shared.app import Synced
from shared.db import add_new, lock_until_commit
from shared.errors import Conflict, Invalid, NotFound
from shared.validation import MEASURE_MAX, MEASURE_MAX_TEXT

DEFAULTS = Path(__file__).with_name("default_rules.json")
# Every title, template and actions a default rule shipped with before its present ones, by
# code (from default_rules.json's history): a stored default still holding one was never
# edited, and takes the present text (`sync_defaults`).
SUPERSEDED = Path(__file__).with_name("default_rules_superseded.json")
# The fields of a default rule that are words, brought up to date when nobody edited them.
_WORDS = ("title", "template", "actions")
RULES_NAMESPACE = uuid.UUID("b1f4c3a2-2d7e-4b8f-9a61-3c5d7e9f0a12")

INDICATOR_FIELDS = frozenset(
    {
        "indicator",
        "code",
        "value",
        "target",
        "unit",
        "n",
        "basis",
        "previous",
        "change",
        "period",
        "where",
        "lowest",
    }
)
ACTION_KINDS = ("pd_programme", "mentor", "seminar", "monitoring_visit", "other")


@dataclass(frozen=True)
class Condition:
    """What a condition needs: addressees it can serve, parameters, template placeholders."""

    addressees: frozenset[str]
    params: dict[str, type | tuple[type, ...]]  # name -> type(s); required ones listed below
    required: frozenset[str]
    fields: frozenset[str]
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)  # name -> allowed values


CONDITIONS: dict[str, Condition] = {
    # The indicator's status is not_achieved (against its target).
    "indicator_not_achieved": Condition(
        frozenset({"organization_leader", "authority", "pd_centre"}),
        {"indicator_codes": list},
        frozenset(),
        INDICATOR_FIELDS,
    ),
    # The value is worse than a threshold (below it, or above it for "lower is better").
    "indicator_below": Condition(
        frozenset({"organization_leader", "authority", "pd_centre"}),
        {"indicator_codes": list, "threshold": (int, float)},
        frozenset({"threshold"}),
        INDICATOR_FIELDS | {"threshold"},
    ),
    # The value got worse in each of the last two periods, the three values comparable: each
    # made of at least `min_coverage` % (50 by default) of its group's organizations, and a
    # count (a sum over them) of as many organizations in each (comparability.comparable).
    "indicator_falling": Condition(
        frozenset({"organization_leader", "authority", "pd_centre"}),
        {"indicator_codes": list, "min_coverage": (int, float)},
        frozenset(),
        INDICATOR_FIELDS | {"values"},
    ),
    # A competence in which at least min_share % (and min_teachers) of a school's teachers
    # have a deficit; to a leader per school, to the PD centre per territory and competence.
    "competence_deficit_shared": Condition(
        frozenset({"organization_leader", "pd_centre"}),
        {"min_share": (int, float), "min_teachers": int},
        frozenset({"min_share"}),
        frozenset(
            {"competence", "with_deficit", "teachers", "share", "where", "schools", "period"}
            | {"programmes"}
        ),
    ),
    # A teacher's own deficits (from the individual routes a methodologist built).
    "teacher_deficit": Condition(
        frozenset({"teacher"}),
        {},
        frozenset(),
        frozenset({"teacher", "deficits", "programmes", "mentors", "where", "period"}),
    ),
    # Fewer respondents than threshold % of those expected in a survey campaign that is open
    # now (`state` "open", the default: participants can still be reminded) or has ended
    # (`state` "ended": only the next campaign can do better); a campaign not yet open, or in
    # the first half of its window, is not judged. `closes`: the day it closes or closed.
    "low_response_rate": Condition(
        frozenset({"organization_leader", "authority"}),
        {"threshold": (int, float), "state": str},
        frozenset({"threshold"}),
        frozenset(
            {"campaign", "responses", "expected", "rate", "threshold", "where", "period"}
            | {"closes"}
        ),
        {"state": ("open", "ended")},
    ),
    # An organization's paper of the period's assessment year with objectivity risk `risk`
    # ('high', the default; 'low': low or high): a monitoring visit, observers.
    "objectivity_risk": Condition(
        frozenset({"authority", "organization_leader"}),
        {"risk": str},
        frozenset(),
        frozenset({"where", "period", "papers", "signs", "risk"}),
        {"risk": ("high", "low")},
    ),
    # A low-results school (ШНОР): a school programme and a mentor school.
    "low_results_school": Condition(
        frozenset({"organization_leader", "authority"}),
        {},
        frozenset(),
        frozenset({"where", "period", "years", "papers", "mentor"}),
    ),
    # A resilient school (high results in unfavourable social conditions): share its practice.
    "resilient_school": Condition(
        frozenset({"authority"}),
        {},
        frozenset(),
        frozenset({"where", "period", "result", "index"}),
    ),
    # Tasks a school's participants fail (below Thresholds.task_deficit_completion and the
    # territory's by task_deficit_gap points): to the leader, for the subject's teachers.
    "task_deficit": Condition(
        frozenset({"organization_leader"}),
        {},
        frozenset(),
        frozenset({"where", "period", "paper", "teachers", "skills", "programmes"}),
    ),
    # A school late for a data collection's window of the period (past the due date and
    # incomplete): to its leader, naming the collection, the due date and the missing
    # indicators; `days` (7 by default): the new date to report by, counted from the day the
    # recommendations are issued.
    "low_reporting": Condition(
        frozenset({"organization_leader"}),
        {"days": int},
        frozenset(),
        frozenset(
            {"where", "period", "collection", "due_date", "missing", "expected", "present"}
            | {"completeness", "deadline"}
        ),
    ),
    # A school whose values of the period break validation rules of at least `importance`
    # (low, the default: every rule) or are flagged as outliers (`checks`: all, the default,
    # violations or outliers): to its leader, naming each value to check (`values`) and
    # counting the broken rules and the flagged values.
    "data_quality": Condition(
        frozenset({"organization_leader"}),
        {"importance": str, "checks": str},
        frozenset(),
        frozenset({"where", "period", "values", "violations", "outliers", "found"}),
        {"importance": ("high", "medium", "low"), "checks": ("all", "violations", "outliers")},
    ),
}


def placeholders(template: str) -> set[str]:
    """The names of the template's `{name}`s. ValueError (Russian) for a brace left open or
    alone, or a `{name!r}` / `{name:…}`: a conversion or a format the numbers' texts may not
    take would fail every generation of the territory, so only bare names are taken."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:  # Python's words are English: "expected '}' before end of string"
        raise ValueError(
            "шаблон не разобран: каждая подстановка пишется как {имя}, а фигурная скобка "
            "в тексте удваивается: {{ или }}"
        ) from exc
    for _, name, spec, conversion in parsed:
        if name is not None and (spec or conversion):
            written = (
                "{"
                + name
                + (f"!{conversion}" if conversion else "")
                + (f":{spec}" if spec else "")
                + "}"
            )
            raise ValueError(f"подстановка {written}: пишите просто {{{name}}}, без «!» и «:»")
    return {name for _, name, _, _ in parsed if name is not None}


def check_template(field: str, template: str, allowed: frozenset[str]) -> None:
    try:
        names = placeholders(template)
    except ValueError as exc:
        raise Invalid.at(field, str(exc)) from exc
    if unknown := sorted(n for n in names if n not in allowed):
        raise Invalid.at(
            field,
            f"неизвестные подстановки: {', '.join('{' + n + '}' for n in unknown)}; "
            f"доступны: {', '.join('{' + n + '}' for n in sorted(allowed))}",
        )


def validate(
    condition: str,
    params: dict[str, Any],
    addressee_type: str,
    template: str,
    actions: list[dict[str, Any]],
) -> None:
    """Refuse a rule that could not be evaluated, naming the field at fault."""
    spec = CONDITIONS.get(condition)
    if spec is None:
        raise Invalid.at("condition", f"неизвестное условие; возможны: {', '.join(CONDITIONS)}")
    if addressee_type not in spec.addressees:
        raise Invalid.at(
            "addressee_type",
            f"условие {condition} адресуется: {', '.join(sorted(spec.addressees))}",
        )
    for name, value in params.items():
        expected = spec.params.get(name)
        if expected is None:
            raise Invalid.at(f"params.{name}", "параметр не используется этим условием")
        if isinstance(value, bool) or not isinstance(value, expected):
            raise Invalid.at(f"params.{name}", "неверный тип значения")
        if isinstance(value, int | float) and not -MEASURE_MAX <= value <= MEASURE_MAX:
            raise Invalid.at(f"params.{name}", f"число по модулю больше {MEASURE_MAX_TEXT}")
        if name == "indicator_codes" and not all(isinstance(c, str) for c in value):
            raise Invalid.at(f"params.{name}", "ожидается список кодов показателей")
        if name in spec.choices and value not in spec.choices[name]:
            raise Invalid.at(f"params.{name}", f"возможны: {', '.join(spec.choices[name])}")
    if missing := sorted(spec.required - set(params)):
        raise Invalid.at(f"params.{missing[0]}", "обязательный параметр")
    check_template("template", template, spec.fields)
    for index, action in enumerate(actions):
        if action.get("kind") not in ACTION_KINDS:
            raise Invalid.at(f"actions.{index}.kind", f"возможны: {', '.join(ACTION_KINDS)}")
        check_template(f"actions.{index}.text", str(action.get("text", "")), spec.fields)


def default_rule_id(code: str) -> uuid.UUID:
    """The same id for a default rule in every installation."""
    return uuid.uuid5(RULES_NAMESPACE, code)


def default_rules() -> list[dict[str, Any]]:
    return json.loads(DEFAULTS.read_text(encoding="utf-8"))


async def sync_defaults(session: AsyncSession) -> Synced:
    """Add the default rules whose codes are absent, and bring the words (`_WORDS`) of a stored
    default rule up to date where it still holds an earlier default's (`SUPERSEDED`): an
    installation then says what the product says now («организаций, ухудшающих значение
    показателя: …» for the «с наименьшими значениями» that was wrong for lower-is-better),
    while words an analyst or administrator changed are theirs and stay. Returns how many
    rules were added and how many brought up to date (`Synced`)."""
    present = {
        rule.code: rule
        for rule in await session.scalars(
            select(RecommendationRule).where(
                RecommendationRule.id.in_([default_rule_id(r["code"]) for r in default_rules()])
            )
        )
    }
    taken = set(await session.scalars(select(RecommendationRule.code)))
    superseded = json.loads(SUPERSEDED.read_text(encoding="utf-8"))
    added = updated = 0
    for rule in default_rules():
        stored = present.get(rule["code"])
        if stored is not None:
            earlier = superseded.get(rule["code"], {})
            stale = [f for f in _WORDS if getattr(stored, f) in earlier.get(f, [])]
            for name in stale:
                setattr(stored, name, rule[name])
            updated += bool(stale)
            continue
        if rule["code"] in taken:  # a territory's own rule of that code: not a default
            continue
        validate(
            rule["condition"],
            rule.get("params", {}),
            rule["addressee_type"],
            rule["template"],
            rule.get("actions", []),
        )
        session.add(RecommendationRule(id=default_rule_id(rule["code"]), **rule))
        added += 1
    return Synced(added=added, updated=updated)


async def get_rule(session: AsyncSession, rule_id: Any) -> RecommendationRule:
    rule = await session.get(RecommendationRule, rule_id)
    if rule is None:
        raise NotFound("Правило не найдено")
    return rule


async def create_rule(session: AsyncSession, data: dict[str, Any]) -> RecommendationRule:
    validate(
        data["condition"], data["params"], data["addressee_type"], data["template"], data["actions"]
    )
    await lock_until_commit(session, "recommendation-rule", data["code"])  # check, then insert
    taken = await session.scalar(
        select(RecommendationRule.id).where(RecommendationRule.code == data["code"])
    )
    if taken is not None:
        raise Conflict.at("code", "код занят", detail="Правило с таким кодом уже есть")
    rule = RecommendationRule(**data)
    return await add_new(session, rule)


async def update_rule(
    session: AsyncSession, rule_id: Any, changes: dict[str, Any]
) -> RecommendationRule:
    rule = await get_rule(session, rule_id)
    merged = {
        "params": rule.params,
        "addressee_type": rule.addressee_type,
        "template": rule.template,
        "actions": rule.actions,
        **changes,
    }
    validate(
        rule.condition,
        merged["params"],
        merged["addressee_type"],
        merged["template"],
        merged["actions"],
    )
    for name, value in changes.items():
        setattr(rule, name, value)
    session.add(rule)
    await session.flush()
    await session.refresh(rule)
    return rule


async def delete_rule(session: AsyncSession, rule_id: Any) -> None:
    """Issued recommendations stay (they keep the rule's code)."""
    await session.delete(await get_rule(session, rule_id))
