"""HTTP: /v1/nok."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.reports.clients.api import ApiClient, api_client
from services.reports.clients.surveys import SurveysClient, surveys_client
from services.reports.indicator_values.router import scope_resolver
from services.reports.quality_evaluation import service
from services.reports.quality_evaluation.schemas import NokRead
from shared.errors import Invalid, NotFound, PeerUnavailable, Unauthorized, error_responses
from shared.identity import Caller
from shared.scope import HttpScopeResolver

router = APIRouter(tags=["nok"])
ERRORS = error_responses(Unauthorized, NotFound, Invalid, PeerUnavailable)


@router.get("/nok", responses=ERRORS)
async def get_nok(
    caller: Caller,
    api: Annotated[ApiClient, Depends(api_client)],
    surveys: Annotated[SurveysClient, Depends(surveys_client)],
    scopes: Annotated[HttpScopeResolver, Depends(scope_resolver)],
    territory_id: uuid.UUID,
    period: Annotated[str, Query(max_length=20, description="2021/2022")],
) -> NokRead:
    """Independent quality evaluation (НОК УООД) of every organization of a territory: К1–К5,
    Sn, rank, the indicators behind them, and the territory's mean; what had no data is named
    in `notes`, a peer that did not answer in `missing_inputs`."""
    result = await service.nok(caller, scopes, api, surveys, territory_id, period)
    return NokRead.model_validate(result)
