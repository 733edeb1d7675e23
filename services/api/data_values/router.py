"""HTTP: /v1/data-values (bulk post, spreadsheet upload, read)."""

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, File, Header, Query, Request, UploadFile
from fastapi.responses import JSONResponse

from services.api.auth.deps import Caller, CallerOrKey, ScopeResolverDep
from services.api.data_values import service
from services.api.data_values.schemas import (
    DataValueItem,
    DataValueItems,
    DataValueRead,
    DataValuesIn,
    DataValuesQuery,
)
from shared import bulk
from shared.bulk import ImportSummary
from shared.db import SessionDep
from shared.errors import Conflict, Forbidden, Invalid, error_responses
from shared.pagination import Page, PaginationDep
from shared.uploads import UploadLimitsDep, UploadTooLarge, read_upload

router = APIRouter(tags=["data values"])
ERRORS = error_responses(Forbidden, Invalid, Conflict)
UPLOAD_ERRORS = error_responses(Forbidden, Invalid, Conflict, UploadTooLarge)
DryRun = Annotated[bool, Query(description="Проверить и посчитать, ничего не сохраняя")]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]


@router.post("/data-values", response_model=ImportSummary, responses=ERRORS)
async def post_data_values(
    body: DataValuesIn,
    request: Request,
    session: SessionDep,
    caller: CallerOrKey,
    scopes: ScopeResolverDep,
    dry_run: DryRun = False,
    idempotency_key: IdempotencyKey = None,
) -> ImportSummary | JSONResponse:
    """Store the valid values (new, changed) and say which rows were rejected and why.

    Also for school information systems with an API key (their own organization only)."""
    importer = service.DataValueImporter(session, scopes, caller)
    return await bulk.import_posted(
        session,
        importer,
        body.values,
        dry_run=dry_run,
        request=request,
        idempotency_key=idempotency_key,
    )


@router.post("/data-values/upload", response_model=ImportSummary, responses=UPLOAD_ERRORS)
async def upload_data_values(
    file: Annotated[
        UploadFile, File(description="CSV или XLSX: indicator_code, organization_id, period, value")
    ],
    session: SessionDep,
    caller: CallerOrKey,
    scopes: ScopeResolverDep,
    limits: UploadLimitsDep,
    dry_run: DryRun = False,
) -> ImportSummary:
    """The same as a post, from a spreadsheet; `index` in `rejected` is the row of the file.

    The file is read within the upload limits (413 past its size; 422 naming the limit past
    10,000 rows with data or another bound of README "Upload limits")."""
    upload = await read_upload(file, limits)
    importer = service.DataValueImporter(session, scopes, caller)
    return await bulk.import_upload(session, importer, upload, dry_run=dry_run)


@router.post("/data-values/query", responses=ERRORS)
async def query_data_values(
    body: DataValuesQuery, session: SessionDep, caller: Caller, scopes: ScopeResolverDep
) -> DataValueItems:
    """Values of many indicators, periods and organizations in one call (what the reports
    service reads); only the caller's organizations. Reads only, though it is a POST."""
    rows = await service.query_values(
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
    period: str | None = None,
    changed_since: datetime | None = None,
) -> Page[DataValueRead]:
    rows, total = await service.list_values(
        session,
        scopes,
        caller,
        page,
        indicator_codes=indicator_code,
        organization_id=organization_id,
        period=period,
        changed_since=changed_since,
    )
    items = [
        DataValueRead(indicator_code=code, **value.model_dump(exclude={"indicator_id"}))
        for value, code in rows
    ]
    return Page(items=items, total=total)
