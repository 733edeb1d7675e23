"""HTTP: /v1/data-values (bulk post, spreadsheet upload, read)."""

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from services.api.access import FIGURE_WRITERS
from services.api.auth.deps import Caller, CallerOrKey, ScopeResolverDep, allowed
from services.api.data_values import reads, service
from services.api.data_values.schemas import (
    DataValueItem,
    DataValueItems,
    DataValuePage,
    DataValueRead,
    DataValuesIn,
    DataValuesQuery,
)
from shared import bulk_http
from shared.db import SessionDep
from shared.errors import Conflict, Forbidden, Invalid, error_responses
from shared.pagination import PaginationDep
from shared.periods import OptionalPeriodQuery
from shared.uploads import UploadTooLarge

router = APIRouter(tags=["data values"])
ERRORS = error_responses(Forbidden, Invalid, Conflict)
UPLOAD_ERRORS = error_responses(Forbidden, Invalid, Conflict, UploadTooLarge)


bulk_http.add_import_routes(
    router,
    "/data-values",
    body=DataValuesIn,
    importer=service.DataValueImporter,
    caller=CallerOrKey,
    scopes=ScopeResolverDep,
    dependencies=[allowed(*FIGURE_WRITERS, keys=True)],
    names=("post_data_values", "upload_data_values"),
    columns="CSV or XLSX: indicator_code, organization_id, period, value",
    responses=(ERRORS, UPLOAD_ERRORS),
)


@router.post("/data-values/query", responses=ERRORS)
async def query_data_values(
    body: DataValuesQuery, session: SessionDep, caller: Caller, scopes: ScopeResolverDep
) -> DataValueItems:
    """Values of many indicators, periods and organizations in one call (what the reports
    service reads); only the caller's organizations. Reads only, though it is a POST."""
    rows = await reads.query_values(
        session,
        scopes,
        caller,
        indicator_codes=body.indicator_codes,
        periods=body.periods,
        organization_ids=body.organization_ids,
    )
    items = [
        DataValueItem(indicator_code=code, organization_id=org, period=period, value=value)
        for code, org, period, value in rows
    ]
    return DataValueItems(items=items)


@router.get("/data-values", responses=ERRORS)
async def list_data_values(
    session: SessionDep,
    caller: Caller,
    scopes: ScopeResolverDep,
    page: PaginationDep,
    indicator_code: Annotated[list[str] | None, Query()] = None,
    organization_id: uuid.UUID | None = None,
    period: OptionalPeriodQuery = None,
    changed_since: Annotated[
        datetime | None,
        Query(
            description="Values changed at or after this time (ISO 8601; without an offset, "
            "a time in SOKO_TIMEZONE), oldest change first; the answer's "
            "`next_changed_since` is where to resume"
        ),
    ] = None,
    after: Annotated[
        str | None,
        Query(
            description="With `changed_since`: the previous answer's `next_after`, to start "
            "past the last value it gave within that moment"
        ),
    ] = None,
) -> DataValuePage:
    rows, total, next_changed_since, next_after = await reads.list_values(
        session,
        scopes,
        caller,
        page,
        indicator_codes=indicator_code,
        organization_id=organization_id,
        period=None if period is None else period.code,
        changed_since=changed_since,
        after=after,
    )
    items = [
        DataValueRead(indicator_code=code, **value.model_dump(exclude={"indicator_id"}))
        for value, code in rows
    ]
    return DataValuePage(
        items=items, total=total, next_changed_since=next_changed_since, next_after=next_after
    )
