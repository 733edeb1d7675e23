"""Dependencies of the reports service's routers: its peers, its scope resolver, and the
objects a path names, loaded (or 404) before the handler runs."""

import uuid
from typing import Annotated

from fastapi import Depends, Request

from services.reports.analysis.thresholds import Thresholds
from services.reports.clients.api import ApiClient, api_client
from services.reports.clients.surveys import SurveysClient, surveys_client
from services.reports.pd_order import catalogue
from services.reports.pd_order.models import PdProgramme
from services.reports.recommendations import ownership
from services.reports.recommendations import service as recommendations
from services.reports.recommendations.models import Recommendation, RecommendationRule
from shared.db import SessionDep
from shared.identity import Caller
from shared.owners import Owners
from shared.scope import HttpScopeResolver


def scope_resolver(request: Request, session: SessionDep) -> HttpScopeResolver:
    """The app's resolver, reading kept answers through the request's session."""
    return request.app.state.scope_resolver.using(session)


ScopeResolverDep = Annotated[HttpScopeResolver, Depends(scope_resolver)]
Api = Annotated[ApiClient, Depends(api_client)]
Surveys = Annotated[SurveysClient, Depends(surveys_client)]


def owners(caller: Caller, scopes: ScopeResolverDep) -> Owners:
    """Who owns what, as the caller sees it (shared/owners.py)."""
    return Owners(caller, scopes)


OwnersDep = Annotated[Owners, Depends(owners)]


async def visible_rule(
    rule_id: uuid.UUID, session: SessionDep, owners: OwnersDep
) -> RecommendationRule:
    """The recommendation rule of the path, if the caller sees it (404 otherwise)."""
    return await ownership.visible_rule(session, owners, rule_id)


async def readable_recommendation(
    recommendation_id: uuid.UUID, session: SessionDep, caller: Caller, scopes: ScopeResolverDep
) -> Recommendation:
    """The recommendation of the path, if the caller may read it (404 otherwise)."""
    return await recommendations.readable(session, caller, scopes, recommendation_id)


async def editable_programme(
    programme_id: uuid.UUID, session: SessionDep, owners: OwnersDep
) -> PdProgramme:
    """The PD programme of the path, if the caller may change it (404 when they do not see it,
    403 when its owner does not let them), answered before the body is read."""
    return await catalogue.editable(session, owners, programme_id)


VisibleRule = Annotated[RecommendationRule, Depends(visible_rule)]
ReadableRecommendation = Annotated[Recommendation, Depends(readable_recommendation)]
EditableProgramme = Annotated[PdProgramme, Depends(editable_programme)]


def analysis_thresholds(request: Request) -> Thresholds:
    """The complex analysis' thresholds this app read at startup (`SOKO_ANALYSIS_…`)."""
    return request.app.state.analysis_thresholds


ThresholdsDep = Annotated[Thresholds, Depends(analysis_thresholds)]
