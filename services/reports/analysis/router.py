"""HTTP: /v1/analysis/… (complex analysis of assessment results)."""

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from services.reports.analysis import service
from services.reports.analysis.schemas import (
    ContextRead,
    LowResultsRead,
    ObjectivityRead,
    ResilientRead,
    TaskCompletionRead,
)
from services.reports.analysis.scope import territory_organizations
from services.reports.deps import ScopeResolverDep, ThresholdsDep
from shared.db import SessionDep
from shared.errors import Invalid, NotFound, Unauthorized, error_responses
from shared.identity import Caller
from shared.pagination import PaginationDep
from shared.school_years import YearQuery

router = APIRouter(prefix="/analysis", tags=["analysis"])
ERRORS = error_responses(Unauthorized, NotFound, Invalid)


async def asked_territory(
    session: SessionDep,
    caller: Caller,
    scopes: ScopeResolverDep,
    thresholds: ThresholdsDep,
    territory_id: uuid.UUID,
) -> service.Asked:
    """The query's `territory_id` with its organizations as the caller sees them (404 for a
    territory outside the caller's scope), the session and the thresholds."""
    organizations = await territory_organizations(caller, scopes, territory_id)
    return service.Asked(session, territory_id, organizations, thresholds)


Asked = Annotated[service.Asked, Depends(asked_territory)]


@router.get("/low-results", responses=ERRORS)
async def get_low_results(asked: Asked, year: YearQuery) -> LowResultsRead:
    """Low-results schools (ШНОР) of the territory in `year`: a school in the territory's
    lowest group (share of mark 2 above `low_results_mark_2_share`, or mean completion at or
    below the `low_results_bottom_share` percentile) in at least `low_results_papers` papers
    in each of `low_results_years` consecutive years ending with `year`; each with the papers
    that put it there (values in percent 0–100). 404 outside the caller's scope, 422 naming
    `query.year` for a year that is not an academic or calendar year."""
    return LowResultsRead.model_validate(await service.low_results_of(asked, year))


@router.get("/context", responses=ERRORS)
async def get_context(asked: Asked) -> ContextRead:
    """The social context index (ИСБШ) of the territory's schools from their context data:
    components standardised within the territory (z-scores), signed so that higher is more
    favourable, combined as the weighted mean (components and weights:
    analysis/context_components.json); groups by the territory's quartiles (`unfavourable`:
    schools in adverse social conditions, ШНСУ). Missing components are named, never guessed.
    404 outside the caller's scope."""
    return ContextRead.model_validate(await service.context_of(asked))


@router.get("/resilient", responses=ERRORS)
async def get_resilient(asked: Asked, year: YearQuery) -> ResilientRead:
    """Every school of the territory with both a context index and results in `year`: its
    result (mean completion of its papers, percent 0–100), the residual of the result on the
    index (least squares line, percentage points) and whether it is resilient (result in the
    top `resilient_result_share` percent while the index group is `unfavourable`). 404
    outside the caller's scope, 422 naming `query.year` for a malformed year."""
    return ResilientRead.model_validate(await service.resilient_of(asked, year))


@router.get("/objectivity", responses=ERRORS)
async def get_objectivity(
    asked: Asked,
    year: YearQuery,
    page: PaginationDep,
    risk: Annotated[
        Literal["low", "high"] | None,
        Query(description="Only items at this risk or higher: low (any sign), high"),
    ] = None,
) -> ObjectivityRead:
    """Objectivity signs of every organization × paper of the territory in `year` (an academic
    year 2021/2022 or a year 2022), each with its evidence, and the risk (`none`, `low`,
    `high`) from how many there are: `boundary_spike`, `inverted_profile`,
    `not_confirmed_by_gia` (the ВПР of `year` against the cohort's later ОГЭ/ЕГЭ),
    `journal_mismatch`, `sudden_rise` (methods: services/reports/analysis/objectivity.py;
    thresholds: `thresholds`, settings SOKO_ANALYSIS_…, ours, not federal). Percentages are
    0–100. Paged (`limit`, `offset`; `total` counts the items that pass `risk`), in the order
    organization, procedure, subject, grade. 404 for a territory outside the caller's scope,
    422 for a bad `year`."""
    answer = await service.objectivity_of(asked, year, page, risk)
    return ObjectivityRead.model_validate(answer)


@router.get("/task-completion", responses=ERRORS)
async def get_task_completion(
    asked: Asked, year: YearQuery, page: PaginationDep, organization_id: uuid.UUID | None = None
) -> TaskCompletionRead:
    """Each task's completion (percent 0–100 = Σ scores / (maximum × participants) × 100) per
    organization × paper of the territory in `year`, beside the territory's pooled completion,
    from the schools' task sums (participants' results by task); only papers written by at
    least `min_participants` pupils of a school. `organization_id` narrows the items to one
    school of the territory. Paged (`limit`, `offset`, `total`), in the order organization,
    procedure, subject, grade. 404 for a territory outside the caller's scope or a school
    outside the territory, 422 for a bad `year`."""
    answer = await service.task_completion_of(asked, year, page, organization_id)
    return TaskCompletionRead.model_validate(answer)
