"""HTTP: /v1/data-version."""

from fastapi import APIRouter

from services.surveys.versions import service
from services.surveys.versions.schemas import DataVersion
from shared.db import SessionDep
from shared.errors import Unauthorized, error_responses
from shared.identity import Caller

router = APIRouter(tags=["data version"])


@router.get("/data-version", responses=error_responses(Unauthorized))
async def get_data_version(session: SessionDep, caller: Caller) -> DataVersion:
    """A cheap check for the reports service: the same version means the same data, so a
    report stored with it is still current."""
    return DataVersion(version=await service.data_version(session))
