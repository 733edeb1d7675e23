"""A recommendation whose cause is gone: when a generation judges an open recommendation's
condition again (same rule, addressee, subject and period) and no longer finds it holding —
the school fixed the flagged values, reported what it was late with, the indicator reached its
target — the recommendation is marked `resolved_at` (the moment) and leaves the active list
(`GET /v1/recommendations` without `include_resolved`). Nothing is deleted: its status, history
and decisions stay; if the condition holds again, the next generation clears the mark
(service.store).

Only what this generation can judge is marked:
- open ones (`new`, `accepted`, `in_progress`; done and rejected are someone's decision);
- of the period, of the territory or below it, of a rule that is active and was evaluated;
- of a condition judged the same wherever the generation runs: a school's or a teacher's
  (`ORGANIZATION_CONDITIONS`), a territory's indicator values, and the PD centre's shared
  competences of the very territory generated for; a survey's response rate
  (`low_response_rate`) where this generation saw the campaign and weighed the addressee's
  rate in it (the campaign ended, or its rate recovered: a reminder no longer holds). The
  complex analysis' conditions rank schools within the territory generated for (a parent's
  ranking is not its child's): never marked here;
- an indicator's when its value is known now (no value is no judgement), and not at all when a
  peer's inputs were missing (`missing_inputs`);
- whatever its condition, one about an organization of the territory that is not open in the
  period (`Facts.absent`: closed before it began, opened after it ended): the generation
  gives nothing about it (engine.evaluate), and its leader has nothing left to act on.
"""

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import any_, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.recommendations.candidates import Candidate, Facts
from services.reports.recommendations.models import Recommendation
from shared.scope import ScopeInfo

OPEN = ("new", "accepted", "in_progress")
INDICATOR_CONDITIONS = frozenset({"indicator_not_achieved", "indicator_below", "indicator_falling"})
ORGANIZATION_CONDITIONS = INDICATOR_CONDITIONS | {
    "competence_deficit_shared",
    "teacher_deficit",
    "low_reporting",
    "data_quality",
}


def judged(rec: Any, condition: str, facts: Facts, scope: ScopeInfo) -> bool:
    """Whether this generation judged `rec`'s condition (see the module's docstring)."""
    if rec.organization_id is not None and rec.organization_id in facts.absent:
        return rec.organization_id in scope.organization_ids
    if condition == "low_response_rate":
        campaign_id = str((rec.evidence or {}).get("campaign_id"))
        for campaign in facts.campaigns:
            if str(campaign["id"]) == campaign_id:
                weighed = {**campaign.get("organizations", {}), **campaign.get("territories", {})}
                return rec.addressee_id in weighed
        return False
    if condition in INDICATOR_CONDITIONS:
        level = "organization" if rec.organization_id is not None else "territory"
        item = facts.values.get((rec.indicator_code, level, rec.addressee_id)) or {}
        # No value, or one that cannot be judged (a percent past 100: its counts contradict
        # each other, `out_of_range`): the cause is not gone, the data are to be checked.
        if item.get("value") is None or item.get("reason") == "out_of_range":
            return False
        if condition == "indicator_falling" and item.get("previous_value") is None:
            return False
    if rec.organization_id is not None:
        return (
            condition in ORGANIZATION_CONDITIONS and rec.organization_id in scope.organization_ids
        )
    if condition == "competence_deficit_shared":
        return rec.addressee_id == scope.scope_id
    return condition in INDICATOR_CONDITIONS


# Whether a recommendation is counted for the caller, by its addressee type and evidence (the
# generation's answer counts those the caller may read: service._counted).
Counted = Callable[[str, dict[str, Any]], bool]


async def resolve(
    session: AsyncSession,
    scope: ScopeInfo,
    rules: Iterable[Any],
    evaluated: Iterable[Candidate],
    facts: Facts,
    *,
    counted: Counted = lambda addressee, evidence: True,
) -> int:
    """Mark the open recommendations of the territory `scope` and period of `facts` whose
    condition the `rules` no longer give (`evaluated`: every candidate the rules gave on these
    facts, before they were kept where each applies): `resolved_at` now. Returns how many of
    them are `counted` (by addressee type and evidence: those the caller may read)."""
    conditions = {r.id: r.condition for r in rules if r.active}
    given = {c.id for c in evaluated}
    rec = Recommendation
    rows = await session.execute(
        select(
            rec.id,
            rec.rule_id,
            rec.organization_id,
            rec.addressee_id,
            rec.indicator_code,
            rec.evidence,
            rec.addressee_type,
        )
        .where(
            rec.period == facts.period,
            literal(scope.scope_id) == any_(rec.territory_ids),
            rec.status.in_(OPEN),
            rec.resolved_at.is_(None),
            rec.rule_id.in_(list(conditions)),
        )
        .order_by(rec.id)
    )
    gone = [
        row
        for row in rows
        if row.id not in given and judged(row, conditions[row.rule_id], facts, scope)
    ]
    if gone:
        ids = [row.id for row in gone]
        await session.execute(
            update(rec).where(rec.id.in_(ids)).values(resolved_at=datetime.now(UTC))
        )
    return sum(counted(row.addressee_type, row.evidence or {}) for row in gone)
