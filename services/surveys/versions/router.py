"""HTTP: /v1/data-version."""

from fastapi import APIRouter

from services.surveys.versions import service
from services.surveys.versions.schemas import DataVersion
from shared.changes.serve import require_own_service
from shared.db import SessionDep
from shared.errors import Forbidden, Unauthorized, error_responses
from shared.identity import Caller

router = APIRouter(tags=["data version"])


@router.get("/data-version", responses=error_responses(Unauthorized, Forbidden))
async def get_data_version(session: SessionDep, caller: Caller) -> DataVersion:
    """A cheap check for the reports service: the same version means the same data, so a
    report stored with it is still current. Soko's services only (403 for anyone else): the
    version moves with every parent's submission anywhere, which a person outside the
    campaign's scope is not to watch."""
    require_own_service(caller, "Версию данных читают")
    return DataVersion(version=await service.data_version(session))
