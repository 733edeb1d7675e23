"""Management decisions on recommendations: taking one (with the indicator's value before and
the organizations it was made of), and the decisions of a territory's recommendations with
their effect in a later period, judged only when the two values are comparable
(comparability.py)."""

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.clients.api import ApiClient
from services.reports.indicator_values.definitions import definitions_for
from services.reports.recommendations import facts as gathering
from services.reports.recommendations import personal, service
from services.reports.recommendations.comparability import kept, not_comparable, not_later
from services.reports.recommendations.models import Decision, Recommendation
from services.reports.recommendations.schemas import (
    DecisionCreate,
    DecisionRead,
    DecisionWithEffect,
)
from shared.errors import Forbidden
from shared.happened import check_happened
from shared.identity import Principal, Role, ScopeType
from shared.pagination import Pagination
from shared.periods import Period, parse_period
from shared.scope import ScopeResolver, ensure_in_scope
from shared.settings import get_settings


def ensure_may_decide(principal: Principal) -> None:
    """Forbidden (403) for the roles that never decide (viewers), whatever the recommendation.
    A teacher is told about the recommendation itself: 404 for one they do not read, 403 for
    their own (below)."""
    if principal.role not in (*service.WRITERS, Role.teacher):
        raise Forbidden("Управленческие решения принимают органы управления и руководители ОО")


async def decide(
    session: AsyncSession,
    principal: Principal,
    api: ApiClient,
    rec: Recommendation,
    data: DecisionCreate,
) -> Decision:
    """Record a management decision on a recommendation the caller reads, with the indicator's
    value before and its coverage (the recommendation's evidence: what the effect is compared
    with), and in the audit log; a new recommendation becomes accepted. Forbidden for
    those who do not manage (teachers, viewers), and on a teacher's personal recommendation
    (moved by that teacher alone: a decision would accept it for them). Invalid (422 naming
    `decided_on`) for a day after today or before the recommendation's period began
    (`happened.check_happened`)."""
    if principal.role not in service.WRITERS:
        raise Forbidden("Управленческие решения принимают органы управления и руководители ОО")
    if rec.addressee_type == "teacher":
        raise Forbidden(service.PERSONAL_MOVES)
    began = parse_period(rec.period).start
    too_early = f"раньше начала периода рекомендации {rec.period} ({began:%d.%m.%Y})"
    check_happened(
        data.decided_on, "decided_on", get_settings().today(), since=began, too_early=too_early
    )
    evidence = rec.evidence or {}
    decision = Decision(
        recommendation_id=rec.id,
        text=data.text,
        decided_on=data.decided_on,
        responsible=data.responsible,
        indicator_code=rec.indicator_code,
        scope_type=evidence.get("scope_type") if rec.indicator_code else None,
        scope_id=uuid.UUID(evidence["scope_id"]) if rec.indicator_code else None,
        period_before=rec.period,
        value_before=evidence.get("value") if rec.indicator_code else None,
        coverage_before=kept(evidence.get("coverage")) if rec.indicator_code else None,
        created_by=principal.id,
    )
    session.add(decision)
    if rec.status == "new":
        rec.status = "accepted"
        rec.history = [
            *rec.history,
            {
                "from": "new",
                "to": "accepted",
                "at": datetime.now(UTC).isoformat(),
                "by": principal.id,
                "comment": "принято управленческое решение",
            },
        ]
        session.add(rec)
    await session.flush()
    changes = {"recommendation_id": str(rec.id), **data.model_dump(mode="json")}
    await api.audit("create", "decision", str(decision.id), changes)
    return decision


def effect(
    decision: Decision,
    item: dict[str, Any] | None,
    definition: dict[str, Any],
    coverage_before: dict[str, Any] | None,
    compared: str,
) -> dict[str, Any]:
    """The indicator's value before the decision and in the compared period (`item`, an
    indicator value), the change and whether it is for the better given the definition's
    `direction`, judged only when the two are comparable (`comparability.comparable` of
    `coverage_before`, the organizations the value before was made of, and the item's
    coverage: each at least half of its group's organizations, a count of as many in both —
    the rule «falling two periods running» compares by). Not judged, `change` and `improved`
    are null and `reason` says why: `not_later` (`compared`, the period code of `item`, is the
    decision's own period or an earlier one: `after` null too, `comparability.not_later`),
    `no_value` (either value missing) or `not_comparable`, with `reason_text` in Russian
    («значения несопоставимы: за 2021/2022 — по 1 из 3 организаций, за 2022/2023 — по 3 из 3
    (…)»). The compared value's flags as the item says
    them (`flagged`, `flagged_organizations`, `flagged_left_out`: README, "Flagged values")."""
    item = item or {}  # of period `compared`
    unit = definition.get("unit") or "number"
    after, before = item.get("value"), decision.value_before
    coverage_after = kept(item.get("coverage"))
    change = improved = is_comparable = reason = reason_text = None
    if too_early := not_later(decision.period_before, compared):
        # Nothing of the compared period is said: its status, flags are not the decision's.
        item, after, coverage_after = {}, None, None
        reason, reason_text = "not_later", too_early
    elif after is None or before is None:
        reason = "no_value"
    elif reason_text := not_comparable(
        (decision.period_before, coverage_before), (item["period"], coverage_after), unit
    ):
        is_comparable, reason = False, "not_comparable"
    else:
        is_comparable = True
        change = round(after - before, 4)
        improved = change < 0 if definition.get("direction") == "lower" else change > 0
    return {
        "before": before,
        "after": after,
        "change": change,
        "improved": improved,
        "comparable": is_comparable,
        "reason": reason,
        "reason_text": reason_text,
        "coverage_before": coverage_before,
        "coverage_after": coverage_after,
        "status_after": item.get("status"),
        "flagged": item.get("flagged"),
        "flagged_organizations": item.get("flagged_organizations"),
        "flagged_left_out": item.get("flagged_left_out"),
    }


async def with_effect(
    session: AsyncSession,
    principal: Principal,
    resolver: ScopeResolver,
    territory_id: uuid.UUID,
    period: Period,
    compare: Period | None,
    page: Pagination,
    api: ApiClient | None = None,
) -> tuple[list[DecisionWithEffect], int]:
    """One page of the decisions on the recommendations of `period` about the territory and
    its organizations (`service.decided`: those the caller reads, whose cause is gone too;
    NotFound outside the caller's scope) and the count of all; with `compare`, each one's
    effect: the indicator's value before against its value then (one computation of the
    territory's values a page). PeerUnavailable when a peer does not answer."""
    scope = await ensure_in_scope(principal, resolver, ScopeType.territory, territory_id)
    found, total = await service.decided(
        session, principal, resolver, frozenset(scope.organization_ids), territory_id, period, page
    )
    if api is not None:  # a teacher's recommendation's text is theirs: the read is recorded
        await personal.audit_personal_reads(api, principal, [rec for rec, _ in found])
    Key = tuple[str, str, uuid.UUID]
    values: dict[Key, dict[str, Any]] = {}
    baselines: dict[Key, dict[str, Any]] = {}
    definitions: dict[str, dict[str, Any]] = {}
    if compare is not None:
        values, _ = await gathering.territory_values(session, principal, resolver, scope, compare)
        definitions = await definitions_for(session, principal, resolver)
        if any(d.indicator_code and d.coverage_before is None for _, d in found):
            # Decisions taken before their baseline's coverage was kept (revision 0038): the
            # period's values as they stand now are the best left to say it.
            baselines, _ = await gathering.territory_values(
                session, principal, resolver, scope, period
            )
    answer = []
    for rec, decision in found:
        result = None
        if compare is not None and decision.indicator_code and decision.scope_id:
            key = (decision.indicator_code, decision.scope_type or "", decision.scope_id)
            coverage = decision.coverage_before
            if coverage is None:
                coverage = kept((baselines.get(key) or {}).get("coverage"))
            definition = definitions.get(decision.indicator_code, {})
            judged = effect(decision, values.get(key), definition, coverage, compare.code)
            result = {"period": compare.code, **judged}
        answer.append(
            DecisionWithEffect.model_validate(
                {
                    **DecisionRead.model_validate(decision).model_dump(),
                    "recommendation_text": rec.text,
                    "effect": result,
                }
            )
        )
    return answer, total


async def decided_periods(
    session: AsyncSession,
    principal: Principal,
    resolver: ScopeResolver,
    territory_id: uuid.UUID,
    page: Pagination,
) -> tuple[list[str], int]:
    """One page of the recommendations' periods (codes, newest start first:
    `service.decided_periods`) for which `with_effect` lists decisions about the territory
    (NotFound outside the caller's scope), and the count of all: what a page walking from
    period to period for decisions asks once instead of once a period."""
    scope = await ensure_in_scope(principal, resolver, ScopeType.territory, territory_id)
    return await service.decided_periods(
        session, principal, resolver, frozenset(scope.organization_ids), territory_id, page
    )
