"""HTTP: /v1/analysis/… (complex analysis of assessment results)."""

import uuid

from fastapi import APIRouter

from services.reports.deps import ScopeResolverDep, ThresholdsDep
from shared.db import SessionDep
from shared.errors import Invalid, NotFound, Unauthorized, error_responses
from shared.identity import Caller

router = APIRouter(prefix="/analysis", tags=["analysis"])
ERRORS = error_responses(Unauthorized, NotFound, Invalid)

# ---- objectivity signs and task completion ----
from services.reports.analysis import signs  # noqa: E402
from services.reports.analysis.schemas import ObjectivityRead, TaskCompletionRead  # noqa: E402
from services.reports.analysis.scope import YearQuery  # noqa: E402


@router.get("/objectivity", responses=ERRORS)
async def get_objectivity(
    caller: Caller,
    session: SessionDep,
    scopes: ScopeResolverDep,
    thresholds: ThresholdsDep,
    territory_id: uuid.UUID,
    year: YearQuery,
) -> ObjectivityRead:
    """Objectivity signs of every organization × paper of the territory in `year` (an academic
    year 2021/2022 or a year 2022), each with its evidence, and the risk (`none`, `low`,
    `high`) from how many there are: `boundary_spike`, `inverted_profile`,
    `not_confirmed_by_gia` (the ВПР of `year` against the cohort's later ОГЭ/ЕГЭ),
    `journal_mismatch`, `sudden_rise` (methods: services/reports/analysis/objectivity.py;
    thresholds: `thresholds`, settings SOKO_ANALYSIS_…, ours, not federal). Percentages are
    0–100. 404 for a territory outside the caller's scope, 422 for a bad `year`."""
    answer = await signs.objectivity_answer(session, caller, scopes, territory_id, year, thresholds)
    return ObjectivityRead.model_validate(answer)


@router.get("/task-completion", responses=ERRORS)
async def get_task_completion(
    caller: Caller,
    session: SessionDep,
    scopes: ScopeResolverDep,
    thresholds: ThresholdsDep,
    territory_id: uuid.UUID,
    year: YearQuery,
    organization_id: uuid.UUID | None = None,
) -> TaskCompletionRead:
    """Each task's completion (percent 0–100 = Σ scores / (maximum × participants) × 100) per
    organization × paper of the territory in `year`, beside the territory's pooled completion,
    from the schools' task sums (participants' results by task); only papers written by at
    least `min_participants` pupils of a school. `organization_id` narrows the items to one
    school of the territory. 404 for a territory outside the caller's scope or a school
    outside the territory, 422 for a bad `year`."""
    answer = await signs.task_completion_answer(
        session, caller, scopes, territory_id, year, thresholds, organization_id
    )
    return TaskCompletionRead.model_validate(answer)


# ---- end of objectivity signs and task completion ----
