"""Issue recommendations (upsert by stable id), list them for whoever may read them, and move
them through their lifecycle; management decisions are in decisions.py."""

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    any_,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.analysis.thresholds import Thresholds
from services.reports.clients.api import ApiClient
from services.reports.recommendations import facts as gathering
from services.reports.recommendations import ownership, resolution
from services.reports.recommendations.engine import Candidate, evaluate
from services.reports.recommendations.models import Decision, Recommendation
from services.reports.recommendations.personal import from_diagnostics
from services.reports.recommendations.resolution import Counted
from services.reports.recommendations.schemas import GenerateResult, StatusChange
from shared.errors import Conflict, Forbidden, NotFound
from shared.identity import Principal, Role, ScopeType, require_roles
from shared.labels import RECOMMENDATION_STATUS_LABELS
from shared.pagination import Pagination, paginate
from shared.periods import Period, parse_period
from shared.scope import ScopeInfo, ScopeResolver, ensure_in_scope, readable_organizations

# Where each status may go next; done and rejected can be reopened.
TRANSITIONS = {
    "new": {"accepted", "in_progress", "rejected"},
    "accepted": {"in_progress", "done", "rejected"},
    "in_progress": {"done", "rejected"},
    "done": {"in_progress"},
    "rejected": {"new"},
}
BATCH = 1000  # rows per statement: 15 parameters each, under PostgreSQL's 32,767
ISSUERS = (Role.admin, Role.territory_analyst, Role.methodologist)
WRITERS = (Role.admin, Role.territory_analyst, Role.methodologist, Role.organization_leader)


async def store(
    session: AsyncSession, candidates: list[Candidate], counted: set[uuid.UUID] | None = None
) -> dict[str, int]:
    """Insert new recommendations, refresh the text and evidence of those already issued
    (their status and decisions stay; one marked resolved holds again: the mark is cleared),
    and count what happened to those of `counted` (None: to all). All are written in one
    order of ids, so that concurrent generations lock their rows in the same order."""
    if not candidates:
        return {"created": 0, "updated": 0, "unchanged": 0}
    rows = [
        {
            "id": c.id,
            "rule_id": c.rule_id,
            "rule_code": c.rule_code,
            "period": c.period,
            "addressee_type": c.addressee_type,
            "addressee_id": c.addressee_id,
            "organization_id": c.organization_id,
            "territory_id": c.territory_id,
            "territory_ids": c.territory_ids,
            "subject": c.subject,
            "indicator_code": c.indicator_code,
            "text": c.text,
            "actions": c.actions,
            "evidence": c.evidence,
        }
        for c in sorted(candidates, key=lambda c: c.id)  # one lock order for concurrent runs
    ]
    created = updated = 0
    for start in range(0, len(rows), BATCH):
        statement = insert(Recommendation).values(rows[start : start + BATCH])
        excluded = statement.excluded
        table = Recommendation.__table__.c
        statement = statement.on_conflict_do_update(
            index_elements=["id"],
            set_={
                "text": excluded.text,
                "actions": excluded.actions,
                "evidence": excluded.evidence,
                "rule_id": excluded.rule_id,
                "territory_ids": excluded.territory_ids,
                "resolved_at": None,
                "updated_at": func.now(),
            },
            where=or_(
                table.text.is_distinct_from(excluded.text),
                table.actions.is_distinct_from(excluded.actions),
                table.evidence.is_distinct_from(excluded.evidence),
                table.resolved_at.is_not(None),
            ),
        ).returning(Recommendation.id, literal_column("xmax = 0").label("inserted"))
        written = [
            inserted
            for id_, inserted in (await session.execute(statement)).all()
            if counted is None or id_ in counted
        ]
        created += sum(1 for inserted in written if inserted)
        updated += sum(1 for inserted in written if not inserted)
    total = len(rows) if counted is None else len(counted)
    return {"created": created, "updated": updated, "unchanged": total - created - updated}


async def generate(
    session: AsyncSession,
    principal: Principal,
    resolver: ScopeResolver,
    api: ApiClient,
    territory_id: uuid.UUID,
    period: Period,
    thresholds: Thresholds,
) -> GenerateResult:
    """Evaluate the rules that apply in a territory (NotFound outside the caller's scope;
    Forbidden but for administrators, analysts and methodologists) for a period and store what
    they give, recorded in the audit log: how many are new, refreshed and unchanged, per
    addressee, how many open ones no longer hold (resolution.py: marked resolved, none when a
    peer's inputs were missing), and the inputs a peer did not give. `thresholds` are the
    complex analysis' (services/reports/analysis/thresholds.py), for the conditions over it.
    Every count is of the recommendations the caller may read (`_counted`): an analyst's
    rule over deficits («у всех педагогов»), generated at one threshold after another, would
    otherwise tell by the counts which schools' teachers all have a deficit."""
    require_roles(principal, *ISSUERS)
    scope = await ensure_in_scope(principal, resolver, ScopeType.territory, territory_id)
    facts, missing = await gathering.gather(session, principal, resolver, scope, period, thresholds)
    counted = _counted(principal)
    candidates, counts = await issue(
        session, resolver, scope, facts, judge=not missing, counted=counted
    )
    await api.audit(
        "generate",
        "recommendation",
        None,
        {"territory_id": str(territory_id), "period": period.code, **counts},
    )
    by_addressee: dict[str, int] = {}
    for candidate in candidates:
        by_addressee[candidate.addressee_type] = by_addressee.get(candidate.addressee_type, 0) + 1
    return GenerateResult(
        **counts, total=len(candidates), by_addressee=by_addressee, missing_inputs=missing
    )


def _counted(principal: Principal) -> Counted:
    """Which recommendations a generation's answer counts for the caller: those `visibility`
    lets them read — a teacher's only for a methodologist, one told from teachers'
    diagnostic results (`with_deficit` in its evidence) only for the readers of personal
    results."""
    if principal.role == Role.methodologist:
        return lambda addressee, evidence: True
    if principal.unrestricted:
        return lambda addressee, evidence: addressee != "teacher"
    return lambda addressee, evidence: addressee != "teacher" and "with_deficit" not in evidence


async def issue(
    session: AsyncSession,
    resolver: ScopeResolver,
    scope: ScopeInfo,
    facts: Any,
    *,
    judge: bool = True,
    counted: Counted = lambda addressee, evidence: True,
) -> tuple[list[Candidate], dict[str, int]]:
    """Evaluate the rules that apply in the territory of `scope` (ownership.py) and store what
    they give; with `judge`, mark the open ones whose condition no longer holds
    (resolution.py). Returns the recommendations `counted` and the counts of `store` with
    `resolved`, of those alone (every one is stored and judged)."""
    rules, offs = await ownership.for_generation(session, resolver, scope)
    evaluated = evaluate(rules, facts)
    candidates = ownership.kept(evaluated, rules, offs, scope)
    shown = [c for c in candidates if counted(c.addressee_type, c.evidence)]
    counts = await store(session, candidates, {c.id for c in shown})
    counts["resolved"] = (
        await resolution.resolve(session, scope, rules, evaluated, facts, counted=counted)
        if judge
        else 0
    )
    return shown, counts


async def visibility(principal: Principal, resolver: ScopeResolver) -> ColumnElement[bool]:
    """The recommendations this caller may read, as a SQL condition: a teacher their own; a
    leader their school's; a methodologist their territory's, teachers' ones too; an
    administrator all but teachers' ones; anyone else those of their scope that are neither
    teachers' ones nor told from teachers' diagnostic results (`from_diagnostics`)."""
    rec = Recommendation
    personal = rec.addressee_type == "teacher"
    if principal.role == Role.teacher:
        if principal.staff_id is None:
            return false()
        return and_(personal, rec.addressee_id == principal.staff_id)
    if principal.role == Role.organization_leader:
        return rec.organization_id == principal.scope_id
    if principal.unrestricted:
        return ~personal
    readable = await readable_organizations(principal, resolver) or frozenset()
    # A territory's own recommendations: for those whose scope is that territory or above it.
    above = (
        literal(principal.scope_id) == any_(rec.territory_ids)
        if principal.scope_type == ScopeType.territory and principal.scope_id is not None
        else false()
    )
    shared = or_(rec.organization_id.in_(readable), and_(rec.organization_id.is_(None), above))
    if principal.role == Role.methodologist:
        return shared
    return and_(shared, ~personal, ~from_diagnostics())


async def listing(
    session: AsyncSession,
    principal: Principal,
    resolver: ScopeResolver,
    page: Pagination,
    *,
    addressee_type: str | None,
    organization_id: uuid.UUID | None,
    territory_id: uuid.UUID | None,
    period: Period | None,
    status: str | None,
    include_resolved: bool = False,
) -> tuple[list[Recommendation], int, dict[uuid.UUID, list[Decision]]]:
    """One page of the recommendations the caller reads (see `visibility`), newest period
    first, with the filters given (those whose cause is gone, `resolved_at`, only with
    `include_resolved`); the count of all of them; and each one's decisions."""
    condition = await visibility(principal, resolver)
    filters = [condition]
    if not include_resolved:
        filters.append(Recommendation.resolved_at.is_(None))
    if addressee_type:
        filters.append(Recommendation.addressee_type == addressee_type)
    if organization_id:
        filters.append(Recommendation.organization_id == organization_id)
    if territory_id:
        filters.append(Recommendation.territory_id == territory_id)
    if period is not None:
        filters.append(Recommendation.period == period.code)
    if status:
        filters.append(Recommendation.status == status)
    where = and_(true(), *filters)
    total = await session.scalar(select(func.count()).select_from(Recommendation).where(where))
    items = list(
        await session.scalars(
            select(Recommendation)
            .where(where)
            .order_by(
                Recommendation.period.desc(),
                Recommendation.addressee_type,
                Recommendation.created_at,
                Recommendation.id,
            )
            .offset(page.offset)
            .limit(page.limit)
        )
    )
    return items, total or 0, await decisions_of(session, [i.id for i in items])


async def _decided_about(
    principal: Principal,
    resolver: ScopeResolver,
    organization_ids: frozenset[uuid.UUID],
    territory_id: uuid.UUID,
) -> ColumnElement[bool]:
    """The recommendations whose decisions are shown for a territory, as a SQL condition: those
    the caller reads (see `visibility`; those whose cause is gone too, their decisions stay)
    that have decisions and are about one of `organization_ids` or, addressed to no
    organization, about the territory `territory_id`. The one home of the rule for
    `decided` and `decided_periods`."""
    rec = Recommendation
    # Correlated to the recommendation only: `decided` joins Decision around it.
    decided = (
        select(Decision.id).where(Decision.recommendation_id == rec.id).correlate(rec).exists()
    )
    inside = or_(
        rec.organization_id.in_(organization_ids),
        and_(rec.organization_id.is_(None), rec.territory_id == territory_id),
    )
    return and_(await visibility(principal, resolver), inside, decided)


async def decided(
    session: AsyncSession,
    principal: Principal,
    resolver: ScopeResolver,
    organization_ids: frozenset[uuid.UUID],
    territory_id: uuid.UUID,
    period: Period,
    page: Pagination,
) -> tuple[list[tuple[Recommendation, Decision]], int]:
    """One page of the decisions on the recommendations of `period` about the territory
    (`_decided_about`), each with its recommendation, and the count of all, in SQL:
    recommendations in `listing`'s order, each one's decisions by date taken."""
    rec = Recommendation
    condition = await _decided_about(principal, resolver, organization_ids, territory_id)
    query = (
        select(rec, Decision)
        .join(Decision, Decision.recommendation_id == rec.id)
        .where(condition, rec.period == period.code)
        .order_by(
            rec.addressee_type,
            rec.created_at,
            rec.id,
            Decision.decided_on,
            Decision.created_at,
            Decision.id,
        )
    )
    rows, total = await paginate(session, query, page, whole_rows=True)
    return [(r, d) for r, d in rows], total


async def decided_periods(
    session: AsyncSession,
    principal: Principal,
    resolver: ScopeResolver,
    organization_ids: frozenset[uuid.UUID],
    territory_id: uuid.UUID,
    page: Pagination,
) -> tuple[list[str], int]:
    """One page of the periods (codes) of the recommendations about the territory that have
    decisions (`_decided_about`): those for which `decided` lists some, and the count of all,
    in one query. Newest first by the period's start (2022/2023, from September, before
    2022Q3, from July), ties by code descending: an order of parsed codes, so the distinct
    codes (a few dozen a territory) are sorted and paged here, not in SQL."""
    condition = await _decided_about(principal, resolver, organization_ids, territory_id)
    codes = await session.scalars(select(Recommendation.period).where(condition).distinct())
    ordered = sorted(codes, key=lambda code: (parse_period(code).start, code), reverse=True)
    return ordered[page.offset : page.offset + page.limit], len(ordered)


async def decisions_of(
    session: AsyncSession, ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Decision]]:
    found: dict[uuid.UUID, list[Decision]] = {i: [] for i in ids}
    if ids:
        for decision in await session.scalars(
            select(Decision)
            .where(Decision.recommendation_id.in_(ids))
            .order_by(Decision.decided_on, Decision.created_at)
        ):
            found[decision.recommendation_id].append(decision)
    return found


async def readable(
    session: AsyncSession, principal: Principal, resolver: ScopeResolver, rec_id: uuid.UUID
) -> Recommendation:
    condition = await visibility(principal, resolver)
    found = await session.scalar(
        select(Recommendation).where(Recommendation.id == rec_id, condition)
    )
    if found is None:
        raise NotFound("Рекомендация не найдена")
    return found


def ensure_status_mover(principal: Principal) -> None:
    """Forbidden (403) for the roles that move no recommendation's status (viewers): the
    managers (`WRITERS`) and teachers (their own personal ones) may."""
    if principal.role not in (*WRITERS, Role.teacher):
        raise Forbidden("Статус рекомендации меняют адресат и органы управления")


async def change_status(
    session: AsyncSession,
    principal: Principal,
    api: ApiClient,
    rec: Recommendation,
    change: StatusChange,
) -> Recommendation:
    """Move a recommendation the caller reads on (TRANSITIONS; Conflict otherwise), with the
    change in its history and in the audit log; its addressee or a manager of its scope may
    do it (Forbidden for others), a teacher's personal one its teacher only
    (`PERSONAL_MOVES`). With `from_status` (the status the caller was shown) the move is a
    compare-and-set: refused (Conflict naming `current_status`) when the status is
    no longer that one (unless it is already the one asked for: nothing to do). The row is
    locked until the commit and read anew (not the copy the request loaded before the lock),
    so of two moves from one shown status only the first applies: the second reads the
    first's status once the first commits."""
    status, comment = change.status, change.comment
    ensure_status_mover(principal)
    if rec.addressee_type == "teacher" and not _own(principal, rec):
        # A teacher's personal recommendation (their own deficits, their route) is theirs to
        # accept or reject: their leader or methodologist reads it, and does not decide it.
        raise Forbidden(PERSONAL_MOVES)
    locked = await session.scalar(
        select(Recommendation)
        .where(Recommendation.id == rec.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert locked is not None
    if status == locked.status:
        await _audit_status(api, locked, change)
        return locked
    if change.from_status is not None and change.from_status != locked.status:
        current = RECOMMENDATION_STATUS_LABELS[locked.status]
        raise Conflict.at(
            "from_status",
            f"статус рекомендации уже изменён (сейчас: {current})",
            kind="status_changed",
            current_status=locked.status,
        )
    if status not in TRANSITIONS[locked.status]:
        allowed = ", ".join(sorted(TRANSITIONS[locked.status]))
        raise Conflict.at(
            "status",
            f"допустимо: {allowed}",
            detail=f"Из статуса «{locked.status}» можно перейти только в: {allowed}",
        )
    locked.history = [
        *locked.history,
        {
            "from": locked.status,
            "to": status,
            "at": datetime.now(UTC).isoformat(),
            "by": principal.id,
            "comment": comment,
        },
    ]
    locked.status = status
    session.add(locked)
    await session.flush()
    await _audit_status(api, locked, change)
    return locked


PERSONAL_MOVES = "Личную рекомендацию педагога принимает или отклоняет только сам педагог"


def _own(principal: Principal, rec: Recommendation) -> bool:
    """Is the caller the teacher a personal recommendation is addressed to."""
    return principal.role == Role.teacher and str(principal.staff_id) == str(rec.addressee_id)


async def _audit_status(api: ApiClient, rec: Recommendation, change: StatusChange) -> None:
    await api.audit("update", "recommendation", str(rec.id), change.model_dump(mode="json"))
