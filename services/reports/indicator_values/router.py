"""HTTP: /v1/indicator-values."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, Depends, FastAPI, Query, Request

from services.reports.facts.freshness import freshness
from services.reports.indicator_values import service
from services.reports.indicator_values.schemas import IndicatorValuePage
from shared.db import SessionDep, request_session, utcnow
from shared.errors import Invalid, NotFound, PeerUnavailable, Unauthorized, error_responses
from shared.identity import Caller, Principal, ScopeType
from shared.pagination import PaginationDep
from shared.periods import PeriodQuery
from shared.scope import HttpScopeResolver
from shared.validation import ReportedDate

router = APIRouter(tags=["indicator values"])
ERRORS = error_responses(Unauthorized, NotFound, Invalid, PeerUnavailable)


def scope_resolver(request: Request, session: SessionDep) -> HttpScopeResolver:
    """The app's resolver, reading kept answers through the request's session."""
    return request.app.state.scope_resolver.using(session)


@router.get("/indicator-values", responses=ERRORS)
async def list_indicator_values(
    request: Request,
    background: BackgroundTasks,
    caller: Caller,
    page: PaginationDep,
    session: SessionDep,
    scopes: Annotated[HttpScopeResolver, Depends(scope_resolver)],
    period: PeriodQuery,
    indicator_code: Annotated[list[str] | None, Query(description="Indicator codes")] = None,
    scope_type: ScopeType | None = None,
    scope_id: uuid.UUID | None = None,
    level: Annotated[
        Literal["organization", "cluster", "territory", "all"],
        Query(
            description="all: the region itself and every organization, cluster and territory in it"
        ),
    ] = "all",
    as_of: Annotated[
        ReportedDate | None,
        Query(description="The values as computed at the end of this day (YYYY-MM-DD)"),
    ] = None,
    approved_only: Annotated[
        bool,
        Query(
            description="true: the published view, counting only data values whose collection "
            "approved them (at the organization's municipality or above); values no collection "
            "asks for and values not yet approved are left out. false: the working view, every "
            "value, each item saying whether it rests on approved data"
        ),
    ] = False,
) -> IndicatorValuePage:
    """Indicator values against targets for a scope (by default the caller's) and everything
    inside it, with the previous period's value, computed over the facts the reports service
    keeps from the peers' change feeds (values whose data never arrived are `no_data`). Only the
    indicators on the page are computed, and only when the facts they read changed (values
    computed less than `SOKO_VALUES_MAX_AGE_SECONDS` ago are served and recomputed after the
    answer: `computed_at` says when); `as_of` shows the values valid at the end of that day.
    `approved_only`: the published view (only approved data values), kept apart from the
    working view; every item says whether it rests on approved data (`approved`,
    `approved_organizations`) and whether a flagged data value (an outlier, or one a broken
    validation rule reads) went into it (`flagged`, `flagged_organizations`) or, with
    SOKO_FLAGGED_VALUES=skip, was left out of a cluster's or territory's value
    (`flagged_left_out`; an organization's own value is shown either way, marked)."""
    query = service.Query(period, indicator_code, scope_type, scope_id, level, approved_only)
    moment = service.end_of_day(as_of, request.app.state.settings.timezone) if as_of else None
    items, total, meta = await service.indicator_page(
        caller,
        scopes,
        session,
        query,
        offset=page.offset,
        limit=page.limit,
        as_of=moment,
        minimum=request.app.state.settings.disclosure_minimum,
        units=request.app.state.known_units,
        max_age=request.app.state.settings.values_max_age,
        thresholds=request.app.state.analysis_thresholds,
    )
    if meta.refresh:
        background.add_task(_refresh, request.app, caller, query, list(meta.refresh))
    return IndicatorValuePage.model_validate(
        {
            "items": items,
            "total": total,
            "missing_inputs": [],
            "computed_at": meta.computed_at,
            **(await _freshness(request, session, moment, meta)),
        }
    )


async def _refresh(app: FastAPI, caller: Principal, query: service.Query, codes: list[str]) -> None:
    """After an answer that served changed indicators' kept values (younger than the maximum
    age): recompute them in a session of their own, once per process at a time."""
    busy = app.state.values_refreshing
    task = (
        caller.scope_type,
        caller.scope_id,
        query.scope_type,
        query.scope_id,
        query.period,
        query.approved_only,
    )
    if task in busy:
        return
    busy.add(task)
    try:
        async with request_session(app.state.db.sessionmaker) as session:
            await service.refresh(
                caller,
                app.state.scope_resolver.using(session),
                session,
                query,
                codes,
                minimum=app.state.settings.disclosure_minimum,
                units=app.state.known_units,
                thresholds=app.state.analysis_thresholds,
            )
    finally:
        busy.discard(task)


async def _freshness(
    request: Request, session: SessionDep, moment: datetime | None, meta: service.Meta
) -> dict[str, Any]:
    """`as_of`, `lag_seconds` of the answer: the facts' freshness now, or, for values as they
    were stored by a past date, when they were computed. Kept values served although a
    change came since (younger than SOKO_VALUES_MAX_AGE_SECONDS, `Meta.behind_since`) are as
    of when they were computed, not now: a warehouse trusting `as_of` would otherwise keep
    the value before a change as the one after it."""
    if moment is not None:
        return {"as_of": meta.computed_at, "lag_seconds": None}
    current = await freshness(request.app, session)
    behind = meta.behind_since
    if behind is not None and (current.as_of is None or behind < current.as_of):
        lag = round(max(0.0, (utcnow() - behind).total_seconds()), 3)
        return {"as_of": behind, "lag_seconds": lag}
    return {"as_of": current.as_of, "lag_seconds": current.lag_seconds}
