"""HTTP: /v1/recommendation-rules, /v1/recommendations, /v1/decisions."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from services.reports.deps import (
    Api,
    OwnersDep,
    ReadableRecommendation,
    ScopeResolverDep,
    ThresholdsDep,
    VisibleRule,
)
from services.reports.recommendations import decisions as deciding
from services.reports.recommendations import ownership, personal, rule_service, service
from services.reports.recommendations.models import (
    Recommendation,
    RecommendationRule,
    RuleSwitchOff,
)
from services.reports.recommendations.rule_service import RULE_EDITORS
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
from services.reports.recommendations.service import ISSUERS
from shared import etag
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
from shared.identity import Caller, allowed, gate
from shared.pagination import Page, PaginationDep
from shared.periods import OptionalPeriodQuery, Period, period_query

router = APIRouter(tags=["recommendations"])
ERRORS = error_responses(Unauthorized, Forbidden, NotFound, Conflict, Invalid)
# A rule's state: its row and the territories it is switched off in (both in its answer).
RULE = etag.Versioned.of(RecommendationRule, children=[(RuleSwitchOff, "rule_id")])
RECOMMENDATION = etag.Versioned.of(Recommendation)

Territory = Annotated[
    uuid.UUID | None,
    Query(description="The rules that apply in this territory, and their state there"),
]
RecommendationsPeriod = Annotated[
    Period, Depends(period_query(description="The recommendations' period"))
]
ComparePeriod = Annotated[
    Period | None,
    Depends(
        period_query(
            "compare_period", description="The period to compare with (the effect)", required=False
        )
    ),
]


@router.get("/recommendation-rules", responses=ERRORS)
async def list_rules(
    session: SessionDep,
    owners: OwnersDep,
    scopes: ScopeResolverDep,
    page: PaginationDep,
    territory_id: Territory = None,
) -> Page[RuleRead]:
    """`{items, total}`: the rules the caller sees (global ones, those of their territory and
    above, those of territories under it) or, with `territory_id`, those that apply there, by
    code; each with its owner, condition, parameters, addressee, text template and actions,
    `active_here` and the territories it is switched off in. `limit` (default 50, at most
    500) from `offset`. 404 for a territory the caller does not see, 422 naming `limit` or
    `offset` out of range."""
    items, total = await ownership.listing(session, owners, scopes, territory_id, page)
    return Page(items=items, total=total)


@router.post(
    "/recommendation-rules",
    status_code=201,
    responses=ERRORS,
    dependencies=[allowed(*RULE_EDITORS)],
)
async def create_rule(
    data: RuleCreate, session: SessionDep, owners: OwnersDep, api: Api
) -> RuleRead:
    """A new rule; the template may use only the numbers its condition provides. An analyst's
    rule is their territory's own (`owner_territory_id`, a territory inside their scope: 404
    otherwise); a global rule only an administrator adds. 409 for a taken code."""
    return await rule_service.create(session, owners, api, data)


@router.get("/recommendation-rules/{rule_id}", responses=ERRORS | etag.TAGGED)
async def get_rule(
    rule: VisibleRule, session: SessionDep, owners: OwnersDep, response: Response
) -> RuleRead:
    """One rule the caller sees (404 otherwise), with its `ETag` (of the rule and the
    territories it is switched off in)."""
    await etag.tag_response(response, session, RULE, rule.id)
    return await rule_service.read(session, owners, rule)


@router.patch(
    "/recommendation-rules/{rule_id}",
    responses=ERRORS | etag.CONDITIONAL,
    dependencies=[allowed(*RULE_EDITORS)],
)
async def update_rule(
    rule: VisibleRule,
    data: RuleUpdate,
    session: SessionDep,
    owners: OwnersDep,
    api: Api,
    response: Response,
    if_match: etag.IfMatchDep,
) -> RuleRead:
    """Change the text, parameters, actions, or switch the rule off everywhere (`active:
    false`): a global rule only an administrator, a territory's rule the analysts of that
    territory and above (403 for others who see it, 404 for those who do not). With
    `If-Match` only if the rule is unchanged since (412 otherwise, nothing changed); answers
    the new `ETag`."""
    async with etag.precondition(session, RULE, rule.id, if_match, response):
        return await rule_service.update(session, owners, api, rule, data)


@router.put(
    "/recommendation-rules/{rule_id}/territories/{territory_id}",
    responses=ERRORS | etag.CONDITIONAL,
    dependencies=[allowed(*RULE_EDITORS)],
)
async def set_rule_in_territory(
    rule: VisibleRule,
    territory_id: uuid.UUID,
    data: RuleTerritoryState,
    session: SessionDep,
    owners: OwnersDep,
    scopes: ScopeResolverDep,
    api: Api,
    response: Response,
    if_match: etag.IfMatchDep,
) -> RuleRead:
    """Switch a rule off (`active: false`) for a territory inside the caller's scope, or back
    on (`true`): it then gives no recommendations about that territory and what is under it,
    and stays on elsewhere. Analysts (of that territory or above) and administrators; 404 for
    a rule or territory the caller does not see, 422 when the rule does not apply there.
    Answers the rule as it stands on that territory, and its `ETag` (the rule's, as its GET
    gives it); with `If-Match` (that ETag) only if the rule is unchanged since (412
    otherwise, nothing changed)."""
    async with etag.precondition(session, RULE, rule.id, if_match, response):
        return await rule_service.set_active_in(
            session, owners, scopes, api, rule, territory_id, data.active
        )


@router.delete(
    "/recommendation-rules/{rule_id}",
    status_code=204,
    responses=ERRORS,
    dependencies=[allowed(*RULE_EDITORS)],
)
async def delete_rule(
    rule: VisibleRule, session: SessionDep, owners: OwnersDep, api: Api
) -> Response:
    """Remove a rule (who may: as for PATCH); recommendations it issued stay, with its code."""
    await rule_service.delete(session, owners, api, rule)
    return Response(status_code=204)


@router.post(
    "/recommendations/generate",
    responses=error_responses(PeerUnavailable) | ERRORS,
    dependencies=[allowed(*ISSUERS)],
)
async def generate(
    data: GenerateRequest,
    session: SessionDep,
    caller: Caller,
    scopes: ScopeResolverDep,
    api: Api,
    thresholds: ThresholdsDep,
) -> GenerateResult:
    """Evaluate the active rules that apply in a territory (global ones not switched off
    there, the territory's own and those of the territories above and below it, each only
    where it applies) for a period: new facts give new recommendations, known ones are
    refreshed (status and decisions kept), none duplicated. The conditions over the complex
    analysis use the thresholds the app holds (`SOKO_ANALYSIS_…`)."""
    return await service.generate(
        session, caller, scopes, api, data.territory_id, data.period, thresholds
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
    api: Api,
    period: OptionalPeriodQuery,
    addressee_type: Addressee | None = None,
    organization_id: uuid.UUID | None = None,
    territory_id: uuid.UUID | None = None,
    status: Status | None = None,
    include_resolved: Annotated[
        bool,
        Query(
            description="true: also those whose cause no longer holds (`resolved_at` set by a "
            "later generation); false (the default): the active list only"
        ),
    ] = False,
) -> Page[RecommendationRead]:
    """Recommendations the caller may read: a teacher their own, a leader their school's, a
    methodologist also teachers' ones in their territory; others those not addressed to a
    teacher (personal) or told from teachers' diagnostic results in their scope. Each with its
    evidence, actions and decisions. Those a later generation found no longer holding
    (`resolved_at`) only with `include_resolved`. A page with teachers' ones read by anyone but
    the teacher is one `read_personal` event in the audit log."""
    items, total, decisions = await service.listing(
        session,
        caller,
        scopes,
        page,
        addressee_type=addressee_type,
        organization_id=organization_id,
        territory_id=territory_id,
        period=period,
        status=status,
        include_resolved=include_resolved,
    )
    await personal.audit_personal_reads(api, caller, items)
    return Page(items=[_read(i, decisions[i.id]) for i in items], total=total)


@router.get("/recommendations/{recommendation_id}", responses=ERRORS | etag.TAGGED)
async def get_recommendation(
    rec: ReadableRecommendation,
    session: SessionDep,
    caller: Caller,
    api: Api,
    response: Response,
) -> RecommendationRead:
    """One recommendation the caller may read (as in the list; 404 otherwise), with its
    `ETag`; a teacher's one read by anyone but the teacher is recorded in the audit log
    (`read_personal`)."""
    await etag.tag_response(response, session, RECOMMENDATION, rec.id)
    await personal.audit_personal_reads(api, caller, [rec])
    return _read(rec, (await service.decisions_of(session, [rec.id]))[rec.id])


@router.patch(
    "/recommendations/{recommendation_id}",
    responses=ERRORS | etag.CONDITIONAL,
    dependencies=[gate(service.ensure_status_mover)],
)
async def change_status(
    rec: ReadableRecommendation,
    data: StatusChange,
    session: SessionDep,
    caller: Caller,
    api: Api,
    response: Response,
    if_match: etag.IfMatchDep,
) -> RecommendationRead:
    """new → accepted → in_progress → done, or rejected; done and rejected can be reopened.
    With `If-Match` only if the recommendation is unchanged since (412 otherwise, nothing
    changed); answers the new `ETag`."""
    async with etag.precondition(session, RECOMMENDATION, rec.id, if_match, response):
        rec = await service.change_status(session, caller, api, rec, data)
    await personal.audit_personal_reads(api, caller, [rec])
    return _read(rec, (await service.decisions_of(session, [rec.id]))[rec.id])


@router.post(
    "/recommendations/{recommendation_id}/decisions",
    status_code=201,
    responses=ERRORS,
    dependencies=[gate(deciding.ensure_may_decide)],
)
async def create_decision(
    rec: ReadableRecommendation, data: DecisionCreate, session: SessionDep, caller: Caller, api: Api
) -> DecisionRead:
    """A management decision (text, date, responsible) taken on a recommendation; the
    indicator's value it concerns is kept as the value before."""
    decision = await deciding.decide(session, caller, api, rec, data)
    return DecisionRead.model_validate(decision)


@router.get("/decisions", responses=ERRORS)
async def list_decisions(
    session: SessionDep,
    caller: Caller,
    scopes: ScopeResolverDep,
    territory_id: uuid.UUID,
    period: RecommendationsPeriod,
    compare_period: ComparePeriod,
    api: Api,
    page: PaginationDep,
) -> Page[DecisionWithEffect]:
    """`{items, total}`: decisions on the territory's recommendations of a period (paged by
    `limit`/`offset`, recommendations in the list's order, each one's decisions by date
    taken) and their effect: the indicator's value before against its value in
    `compare_period` (one computation a page). 404 for a territory outside the caller's
    scope."""
    items, total = await deciding.with_effect(
        session, caller, scopes, territory_id, period, compare_period, page, api
    )
    return Page(items=items, total=total)


@router.get("/decisions/periods", responses=ERRORS)
async def list_decided_periods(
    session: SessionDep,
    caller: Caller,
    scopes: ScopeResolverDep,
    territory_id: uuid.UUID,
    page: PaginationDep,
) -> Page[str]:
    """`{items, total}`: the recommendations' periods (codes, newest start first, paged by
    `limit`/`offset`) for which `GET /v1/decisions` of the territory lists decisions (404 for
    a territory outside the caller's scope): one call instead of one `GET /v1/decisions` a
    period to find the years with decisions."""
    items, total = await deciding.decided_periods(session, caller, scopes, territory_id, page)
    return Page(items=items, total=total)
