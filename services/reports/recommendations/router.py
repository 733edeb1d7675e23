"""HTTP: /v1/recommendation-rules, /v1/recommendations, /v1/decisions."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from services.reports.clients.api import ApiClient, api_client
from services.reports.clients.surveys import SurveysClient, surveys_client
from services.reports.indicator_values.router import scope_resolver
from services.reports.recommendations import facts as gathering
from services.reports.recommendations import ownership, rules, service
from services.reports.recommendations.schemas import (
    Addressee,
    DecisionCreate,
    DecisionRead,
    DecisionWithEffect,
    GenerateRequest,
    GenerateResult,
    RecommendationRead,
    RuleCreate,
    RuleRead,
    RuleTerritoryState,
    RuleUpdate,
    Status,
    StatusChange,
)
from shared.db import SessionDep
from shared.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    PeerUnavailable,
    Unauthorized,
    error_responses,
)
from shared.identity import Caller, Role, ScopeType, require_roles
from shared.owners import Owners
from shared.pagination import Page, PaginationDep
from shared.periods import period_or_invalid
from shared.scope import HttpScopeResolver, ensure_in_scope

router = APIRouter(tags=["recommendations"])
ERRORS = error_responses(Unauthorized, Forbidden, NotFound, Conflict, Invalid)
ScopeResolverDep = Annotated[HttpScopeResolver, Depends(scope_resolver)]
Api = Annotated[ApiClient, Depends(api_client)]
Surveys = Annotated[SurveysClient, Depends(surveys_client)]
RULE_EDITORS = (Role.admin, Role.territory_analyst)
ISSUERS = (Role.admin, Role.territory_analyst, Role.methodologist)


Territory = Annotated[
    uuid.UUID | None,
    Query(description="Правила, действующие на этой территории, и их состояние на ней"),
]


@router.get("/recommendation-rules", responses=ERRORS)
async def list_rules(
    session: SessionDep, caller: Caller, scopes: ScopeResolverDep, territory_id: Territory = None
) -> list[RuleRead]:
    """The rules the caller sees (global ones, those of their territory and above, those of
    territories under it) or, with `territory_id`, those that apply there; each with its owner,
    condition, parameters, addressee, text template and actions, `active_here` and the
    territories it is switched off in. 404 for a territory the caller does not see."""
    owners = Owners(caller, scopes)
    return await ownership.listing(session, owners, scopes, territory_id)


@router.post("/recommendation-rules", status_code=201, responses=ERRORS)
async def create_rule(
    data: RuleCreate, session: SessionDep, caller: Caller, scopes: ScopeResolverDep, api: Api
) -> RuleRead:
    """A new rule; the template may use only the numbers its condition provides. An analyst's
    rule is their territory's own (`owner_territory_id`, a territory inside their scope: 404
    otherwise); a global rule only an administrator adds. 409 for a taken code."""
    require_roles(caller, *RULE_EDITORS)
    owners = Owners(caller, scopes)
    owner = await owners.owner_for_new(data.owner_territory_id, "owner_territory_id")
    created = await rules.create_rule(session, data.model_dump() | {"owner_territory_id": owner})
    rule = (await ownership.describe(session, owners, [created], await _here(owners)))[0]
    await api.audit("create", "recommendation_rule", str(rule.id), data.model_dump(mode="json"))
    return rule


async def _here(owners: Owners) -> frozenset[uuid.UUID] | None:
    """The caller's own territory chain, for `active_here` (None for those without a scope)."""
    return None if owners.principal.scope_id is None else await owners.above()


@router.get("/recommendation-rules/{rule_id}", responses=ERRORS)
async def get_rule(
    rule_id: uuid.UUID, session: SessionDep, caller: Caller, scopes: ScopeResolverDep
) -> RuleRead:
    """One rule the caller sees (404 otherwise)."""
    owners = Owners(caller, scopes)
    rule = await ownership.visible_rule(session, owners, rule_id)
    return (await ownership.describe(session, owners, [rule], await _here(owners)))[0]


@router.patch("/recommendation-rules/{rule_id}", responses=ERRORS)
async def update_rule(
    rule_id: uuid.UUID,
    data: RuleUpdate,
    session: SessionDep,
    caller: Caller,
    scopes: ScopeResolverDep,
    api: Api,
) -> RuleRead:
    """Change the text, parameters, actions, or switch the rule off everywhere (`active:
    false`): a global rule only an administrator, a territory's rule the analysts of that
    territory and above (403 for others who see it, 404 for those who do not)."""
    owners = Owners(caller, scopes)
    rule = await ownership.visible_rule(session, owners, rule_id)
    require_roles(caller, *RULE_EDITORS)
    await owners.authorize(rule.owner_territory_id, ownership.TEXTS)
    changes = data.model_dump(exclude_unset=True)
    for name in ("params", "template", "actions", "title", "addressee_type", "active"):
        if name in changes and changes[name] is None:
            raise Invalid(
                "Поле не может быть пустым", errors=[{"loc": ["body", name], "msg": "пусто"}]
            )
    updated = await rules.update_rule(session, rule_id, changes)
    read = (await ownership.describe(session, owners, [updated], await _here(owners)))[0]
    audited = data.model_dump(mode="json", exclude_unset=True)
    await api.audit("update", "recommendation_rule", str(rule_id), audited)
    return read


@router.put("/recommendation-rules/{rule_id}/territories/{territory_id}", responses=ERRORS)
async def set_rule_in_territory(
    rule_id: uuid.UUID,
    territory_id: uuid.UUID,
    data: RuleTerritoryState,
    session: SessionDep,
    caller: Caller,
    scopes: ScopeResolverDep,
    api: Api,
) -> RuleRead:
    """Switch a rule off (`active: false`) for a territory inside the caller's scope, or back
    on (`true`): it then gives no recommendations about that territory and what is under it,
    and stays on elsewhere. Analysts (of that territory or above) and administrators; 404 for
    a rule or territory the caller does not see, 422 when the rule does not apply there.
    Answers the rule as it stands on that territory."""
    owners = Owners(caller, scopes)
    rule = await ownership.visible_rule(session, owners, rule_id)
    require_roles(caller, *RULE_EDITORS)
    chain = await ownership.set_active_in(session, owners, scopes, rule, territory_id, data.active)
    changes = {"territory_id": str(territory_id), "active": data.active}
    await api.audit("update", "recommendation_rule", str(rule_id), changes)
    return (await ownership.describe(session, owners, [rule], chain))[0]


@router.delete("/recommendation-rules/{rule_id}", status_code=204, responses=ERRORS)
async def delete_rule(
    rule_id: uuid.UUID, session: SessionDep, caller: Caller, scopes: ScopeResolverDep, api: Api
) -> Response:
    """Remove a rule (who may: as for PATCH); recommendations it issued stay, with its code."""
    owners = Owners(caller, scopes)
    rule = await ownership.visible_rule(session, owners, rule_id)
    require_roles(caller, *RULE_EDITORS)
    await owners.authorize(rule.owner_territory_id, ownership.TEXTS)
    await rules.delete_rule(session, rule_id)
    await api.audit("delete", "recommendation_rule", str(rule_id), {})
    return Response(status_code=204)


@router.post("/recommendations/generate", responses=error_responses(PeerUnavailable) | ERRORS)
async def generate(
    data: GenerateRequest,
    session: SessionDep,
    caller: Caller,
    scopes: ScopeResolverDep,
    api: Api,
    surveys: Surveys,
) -> GenerateResult:
    """Evaluate the active rules that apply in a territory (global ones not switched off
    there, the territory's own and those of the territories above and below it, each only
    where it applies) for a period: new facts give new recommendations, known ones are
    refreshed (status and decisions kept), none duplicated."""
    require_roles(caller, *ISSUERS)
    period = period_or_invalid(data.period, "period", "body").code
    scope = await ensure_in_scope(caller, scopes, ScopeType.territory, data.territory_id)
    facts, missing = await gathering.gather(session, caller, scopes, api, surveys, scope, period)
    candidates, counts = await service.issue(session, scopes, scope, facts)
    await api.audit(
        "generate",
        "recommendation",
        None,
        {"territory_id": str(data.territory_id), "period": period, **counts},
    )
    by_addressee: dict[str, int] = {}
    for candidate in candidates:
        by_addressee[candidate.addressee_type] = by_addressee.get(candidate.addressee_type, 0) + 1
    return GenerateResult(
        **counts, total=len(candidates), by_addressee=by_addressee, missing_inputs=missing
    )


def _read(rec: Any, decisions: list[Any]) -> RecommendationRead:
    return RecommendationRead.model_validate(
        {
            **{k: getattr(rec, k) for k in RecommendationRead.model_fields if hasattr(rec, k)},
            "decisions": [DecisionRead.model_validate(d) for d in decisions],
        }
    )


@router.get("/recommendations", responses=ERRORS)
async def list_recommendations(
    session: SessionDep,
    caller: Caller,
    scopes: ScopeResolverDep,
    page: PaginationDep,
    addressee_type: Addressee | None = None,
    organization_id: uuid.UUID | None = None,
    territory_id: uuid.UUID | None = None,
    period: Annotated[str | None, Query(max_length=20)] = None,
    status: Status | None = None,
) -> Page[RecommendationRead]:
    """Recommendations the caller may read: a teacher their own, a leader their school's, a
    methodologist also teachers' ones in their territory; others those not addressed to a
    teacher (personal) in their scope. Each with its evidence, actions and decisions."""
    items, total, decisions = await service.listing(
        session,
        caller,
        scopes,
        page,
        addressee_type=addressee_type,
        organization_id=organization_id,
        territory_id=territory_id,
        period=period_or_invalid(period).code if period else None,
        status=status,
    )
    return Page(items=[_read(i, decisions[i.id]) for i in items], total=total)


@router.get("/recommendations/{recommendation_id}", responses=ERRORS)
async def get_recommendation(
    recommendation_id: uuid.UUID, session: SessionDep, caller: Caller, scopes: ScopeResolverDep
) -> RecommendationRead:
    rec = await service.readable(session, caller, scopes, recommendation_id)
    return _read(rec, (await service.decisions_of(session, [rec.id]))[rec.id])


@router.patch("/recommendations/{recommendation_id}", responses=ERRORS)
async def change_status(
    recommendation_id: uuid.UUID,
    data: StatusChange,
    session: SessionDep,
    caller: Caller,
    scopes: ScopeResolverDep,
    api: Api,
) -> RecommendationRead:
    """new → accepted → in_progress → done, or rejected; done and rejected can be reopened."""
    rec = await service.change_status(
        session, caller, scopes, recommendation_id, data.status, data.comment
    )
    await api.audit("update", "recommendation", str(rec.id), data.model_dump(mode="json"))
    return _read(rec, (await service.decisions_of(session, [rec.id]))[rec.id])


@router.post("/recommendations/{recommendation_id}/decisions", status_code=201, responses=ERRORS)
async def create_decision(
    recommendation_id: uuid.UUID,
    data: DecisionCreate,
    session: SessionDep,
    caller: Caller,
    scopes: ScopeResolverDep,
    api: Api,
) -> DecisionRead:
    """A management decision (text, date, responsible) taken on a recommendation; the
    indicator's value it concerns is kept as the value before."""
    decision = await service.decide(session, caller, scopes, recommendation_id, data.model_dump())
    changes = {"recommendation_id": str(recommendation_id), **data.model_dump(mode="json")}
    await api.audit("create", "decision", str(decision.id), changes)
    return DecisionRead.model_validate(decision)


@router.get("/decisions", responses=error_responses(PeerUnavailable) | ERRORS)
async def list_decisions(
    session: SessionDep,
    caller: Caller,
    scopes: ScopeResolverDep,
    api: Api,
    surveys: Surveys,
    territory_id: uuid.UUID,
    period: Annotated[str, Query(max_length=20, description="Период рекомендаций")],
    compare_period: Annotated[
        str | None, Query(max_length=20, description="С каким периодом сравнить (эффект)")
    ] = None,
) -> list[DecisionWithEffect]:
    """Decisions on the territory's recommendations of a period and their effect: the
    indicator's value before against its value in `compare_period` (one computation)."""
    period = period_or_invalid(period).code
    await ensure_in_scope(caller, scopes, ScopeType.territory, territory_id)
    recs = await service.listing(
        session,
        caller,
        scopes,
        service.Pagination(limit=100_000, offset=0),
        addressee_type=None,
        organization_id=None,
        territory_id=None,
        period=period,
        status=None,
    )
    items, _, decisions = recs
    scope_info = await scopes.resolve(ScopeType.territory, territory_id)
    inside = [
        r
        for r in items
        if (r.organization_id in scope_info.organization_ids)
        or (r.organization_id is None and r.territory_id == territory_id)
    ]
    values: dict[tuple[str, str, uuid.UUID], dict[str, Any]] = {}
    directions: dict[str, str] = {}
    if compare_period:
        compare_period = period_or_invalid(compare_period, "compare_period").code
        values, _ = await gathering.territory_values(
            session, caller, scopes, api, surveys, scope_info, compare_period
        )
        directions = {d["code"]: d.get("direction", "higher") for d in await api.indicators()}
    answer = []
    for rec in inside:
        for decision in decisions[rec.id]:
            effect = None
            if compare_period and decision.indicator_code and decision.scope_id:
                key = (decision.indicator_code, decision.scope_type or "", decision.scope_id)
                found = service.effect(
                    decision, values.get(key), directions.get(decision.indicator_code, "higher")
                )
                effect = {"period": compare_period, **found}
            answer.append(
                DecisionWithEffect.model_validate(
                    {
                        **DecisionRead.model_validate(decision).model_dump(),
                        "recommendation_text": rec.text,
                        "effect": effect,
                    }
                )
            )
    return answer
