"""HTTP: /v1/nok."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from services.reports.deps import ScopeResolverDep
from services.reports.quality_evaluation import service
from services.reports.quality_evaluation.schemas import NokRead
from shared.db import SessionDep
from shared.errors import Invalid, NotFound, Unauthorized, error_responses
from shared.identity import Caller
from shared.periods import Period, period_query

router = APIRouter(tags=["nok"])
ERRORS = error_responses(Unauthorized, NotFound, Invalid)


@router.get("/nok", responses=ERRORS)
async def get_nok(
    request: Request,
    caller: Caller,
    session: SessionDep,
    scopes: ScopeResolverDep,
    territory_id: uuid.UUID,
    period: Annotated[Period, Depends(period_query(description="2021/2022"))],
) -> NokRead:
    """Independent quality evaluation (НОК УООД) of every organization of a territory: К1–К5,
    Sn, rank, the indicators behind them, and the territory's mean; what had no data is named
    in `notes`. Computed over the facts the reports service keeps from the peers' change feeds
    (`missing_inputs` stays empty: a peer that is down changes nothing but the facts' age)."""
    result = await service.nok(
        session,
        caller,
        scopes,
        territory_id,
        period,
        minimum=request.app.state.settings.disclosure_minimum,
    )
    return NokRead.model_validate(result)
