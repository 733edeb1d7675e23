"""HTTP: /v1/nok."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends

from services.reports.deps import Api, ScopeResolverDep, Surveys
from services.reports.quality_evaluation import service
from services.reports.quality_evaluation.schemas import NokRead
from shared.errors import Invalid, NotFound, PeerUnavailable, Unauthorized, error_responses
from shared.identity import Caller
from shared.periods import Period, period_query

router = APIRouter(tags=["nok"])
ERRORS = error_responses(Unauthorized, NotFound, Invalid, PeerUnavailable)


@router.get("/nok", responses=ERRORS)
async def get_nok(
    caller: Caller,
    api: Api,
    surveys: Surveys,
    scopes: ScopeResolverDep,
    territory_id: uuid.UUID,
    period: Annotated[Period, Depends(period_query(description="2021/2022"))],
) -> NokRead:
    """Independent quality evaluation (НОК УООД) of every organization of a territory: К1–К5,
    Sn, rank, the indicators behind them, and the territory's mean; what had no data is named
    in `notes`, a peer that did not answer in `missing_inputs`."""
    result = await service.nok(caller, scopes, api, surveys, territory_id, period)
    return NokRead.model_validate(result)
