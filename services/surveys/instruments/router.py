"""HTTP: /v1/instruments (the bank; import and export as JSON and XLSForm)."""

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile

from services.surveys.deps import ScopeResolverDep
from services.surveys.instruments import service
from services.surveys.instruments.definition import InstrumentDefinition
from services.surveys.instruments.schemas import (
    InstrumentCodes,
    InstrumentDetail,
    InstrumentListed,
    InstrumentRead,
    VersionRead,
)
from services.surveys.instruments.service import AUTHORS
from services.surveys.instruments.xlsform import to_xlsform
from shared.db import SessionDep
from shared.errors import Conflict, Forbidden, Invalid, NotFound, error_responses
from shared.identity import Caller, allowed
from shared.pagination import Page, PaginationDep
from shared.uploads import UploadLimitsDep, UploadTooLarge, read_upload
from shared.validation import PositiveInt32

router = APIRouter(tags=["instruments"])
ERRORS = error_responses(Forbidden, NotFound, Invalid)
WRITE_ERRORS = error_responses(Forbidden, NotFound, Invalid, Conflict)
UPLOAD_ERRORS = error_responses(Forbidden, NotFound, Invalid, Conflict, UploadTooLarge)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UNCHANGED = {200: {"model": InstrumentDetail, "description": "unchanged: no version added"}}


def _detail(instrument, version, *, unchanged: bool = False) -> InstrumentDetail:
    return InstrumentDetail(
        **InstrumentRead.model_validate(instrument).model_dump(),
        version=version.version,
        version_id=version.id,
        definition=version.definition,
        unchanged=unchanged,
    )


async def _added(session, version, created: bool, response: Response) -> InstrumentDetail:
    """201 with the new version; 200 with the latest and `unchanged` when nothing was added."""
    if not created:
        response.status_code = 200
    found = await service.get_version(session, version.instrument_id, version.version)
    return _detail(*found, unchanged=not created)


@router.get("/instruments", responses=ERRORS)
async def list_instruments(
    session: SessionDep,
    caller: Caller,
    page: PaginationDep,
    kind: Literal["satisfaction", "deficit", "self_assessment"] | None = None,
) -> Page[InstrumentListed]:
    """`{items, total}`: the instrument bank; each instrument has a stable `code`, and its
    `versions` (number, source, when stored), newest first."""
    items, total = await service.list_instruments(session, page, kind=kind)
    versions = await service.versions_of(session, [i.id for i in items])
    listed = [
        InstrumentListed(
            **InstrumentRead.model_validate(i).model_dump(),
            versions=[_version(v) for v in versions[i.id]],
        )
        for i in items
    ]
    return Page(items=listed, total=total)


@router.post(
    "/instruments",
    status_code=201,
    responses=WRITE_ERRORS | UNCHANGED,
    dependencies=[allowed(*AUTHORS)],
)
async def import_instrument(
    body: dict[str, Any],
    session: SessionDep,
    caller: Caller,
    scopes: ScopeResolverDep,
    response: Response,
) -> InstrumentDetail:
    """A definition as JSON: a new instrument, or a new version of the one with its code
    (201); the same definition as the latest version adds none (200, `unchanged`). A version
    of the bank's instrument (shared by all territories) by anyone but an administrator: 409
    naming `code`."""
    definition = service.parse_definition(body)
    version, created = await service.add_version(session, caller, scopes, definition, source="json")
    return await _added(session, version, created, response)


@router.post(
    "/instruments/xlsform",
    status_code=201,
    responses=UPLOAD_ERRORS | UNCHANGED,
    dependencies=[allowed(*AUTHORS)],
)
async def import_xlsform(
    file: Annotated[UploadFile, File(description="XLSForm (.xlsx): survey, choices, settings")],
    session: SessionDep,
    caller: Caller,
    scopes: ScopeResolverDep,
    response: Response,
    limits: UploadLimitsDep,
    kind: Annotated[
        Literal["satisfaction", "deficit", "self_assessment"] | None,
        Form(description="when the settings sheet has no `kind` (default: satisfaction)"),
    ] = None,
    audience: Annotated[
        list[Literal["parents", "teachers", "leaders", "students"]] | None,
        Form(description="when the settings sheet has no `audience` (default: parents)"),
    ] = None,
) -> InstrumentDetail:
    """An instrument authored in a spreadsheet (the ODK/KoboToolbox XLSForm standard, read by
    pyxform). `kind` and `audience` fill what a KoboToolbox form's settings lack (one that
    differs from the settings' own: 422 naming the settings' column). A workbook
    that defines the latest version unchanged (an export imported back) adds none: 200 with
    `unchanged`. A version of the bank's instrument (its `form_id`) by anyone but an
    administrator: 409 naming the settings' `form_id`.

    A workbook without settings takes its code and title from the file's name (as pyxform).
    Read within the upload limits (413 past the file size, 422 naming any other limit) in a
    worker thread; a workbook Soko cannot hold is a 422 with one `errors` item per problem
    (the first 50; `detail` counts them all), each with `loc` `["body", "file"]`, `msg`
    in Russian (`лист survey, строка 5, столбец type: ...`) and `sheet`, `row`, `column`."""
    upload = await read_upload(file, limits)
    version, created = await service.import_xlsform(
        session, caller, scopes, upload, kind=kind, audience=audience
    )
    return await _added(session, version, created, response)


@router.get("/instruments/codes", responses=ERRORS)
async def instrument_codes(
    session: SessionDep,
    caller: Caller,
    page: PaginationDep,
    code: Annotated[list[str], Query(min_length=1, max_length=100, description="Instrument codes")],
) -> Page[InstrumentCodes]:
    """`{items, total}`: the instruments of the codes asked about that exist (one item each,
    ordered by code; a code no instrument has is left out, and `total` counts those found),
    with the question and competence codes of all their versions: what the api checks an
    indicator definition's codes against. `limit` (default 50, at most 500) from `offset`;
    422 naming `code` (none, or over 100), `limit` or `offset`."""
    items, total = await service.codes_of(session, code, page)
    return Page(items=items, total=total)


@router.get("/instruments/{instrument_id}", responses=ERRORS)
async def get_instrument(
    instrument_id: uuid.UUID,
    session: SessionDep,
    caller: Caller,
    version: Annotated[PositiveInt32 | None, Query()] = None,
) -> InstrumentDetail:
    """Sections and questions (with `code`, `type`, `options`) of a version (default: latest)."""
    return _detail(*await service.get_version(session, instrument_id, version))


@router.get("/instruments/{instrument_id}/versions", responses=ERRORS)
async def list_versions(
    instrument_id: uuid.UUID, session: SessionDep, caller: Caller, page: PaginationDep
) -> Page[VersionRead]:
    """`{items, total}`: the instrument's versions, oldest first (`version` 1, 2, …), `limit`
    (default 50, at most 500) from `offset`. 404 for an instrument that does not exist, 422
    naming `limit` or `offset` out of range."""
    rows, total = await service.versions(session, instrument_id, page)
    if not total:
        raise NotFound("Инструмент не найден")
    return Page(items=[_version(v) for v in rows], total=total)


def _version(v: Any) -> VersionRead:
    return VersionRead(id=v.id, version=v.version, source=v.source, created_at=v.created_at)


@router.get(
    "/instruments/{instrument_id}/export",
    responses={**ERRORS, 200: {"description": "JSON or XLSForm", "content": {XLSX: {}}}},
)
async def export_instrument(
    instrument_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    caller: Caller,
    format: Literal["json", "xlsform"] = "json",
    version: Annotated[PositiveInt32 | None, Query()] = None,
) -> Response:
    """The definition as JSON, or as an XLSForm workbook to edit in a spreadsheet."""
    instrument, found = await service.get_version(session, instrument_id, version)
    definition = InstrumentDefinition.model_validate(found.definition)
    name = f"{instrument.code}-v{found.version}"
    if format == "xlsform":
        return Response(
            to_xlsform(definition, version=str(found.version)),
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
        )
    return Response(
        definition.model_dump_json(by_alias=True, exclude_none=True, indent=2),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}.json"'},
    )
