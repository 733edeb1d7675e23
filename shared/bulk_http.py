"""The endpoints of bulk imports (shared/bulk.py runs them): `import_posted` and
`import_uploaded` are the two handlers every bulk endpoint calls, for a JSON body and for a
spreadsheet (each once per `Idempotency-Key`); `add_import_routes` puts the pair of endpoints on
a router. A file's rows are read here (`import_upload`), its refusals naming their cells.
"""

import re
from collections.abc import Callable, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, File, Header, Query, Request, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from shared import reinterpreted
from shared.bulk import Importer, ImportSummary, Notice, Rejected, RowError, rejection, run_import
from shared.db import SessionDep
from shared.errors import Invalid, field_error
from shared.idempotency import idempotent
from shared.identity import Principal, require_roles
from shared.json_body import FastJsonRoute
from shared.spreadsheets import (
    Sheet,
    excel_error,
    formula_without_result,
    parse_sheet,
)
from shared.tabular import SINGLE_BYTE_ENCODINGS, Cell, CellType
from shared.uploads import FIELD, Upload, UploadLimitsDep, read_upload

DryRun = Annotated[bool, Query(description="Check and count, store nothing")]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]


def past_header(values: list[str], separator: str | None, line: int) -> str:
    """Why the file's row at `line` with values right of its header's last column is refused:
    never cut silently; the values as written, then the row as other cells' refusals name it
    ("… лишние «5» (строка 3)"). In a comma-separated file the likely cause is said: a decimal
    comma not quoted splits "64,5" in two (no other separator or an .xlsx can split a number)."""
    listed = ", ".join(f"«{value}»" for value in values)
    message = f"в строке больше значений, чем столбцов в заголовке: лишние {listed}"
    if separator == ",":
        message += " (не разделила ли запятая десятичное число? возьмите его в кавычки)"
    return f"{message} (строка {line})"


WRITTEN_CHARS = 100  # of a refused cell's value, as a message repeats it


def at_cell(message: str, line: int, column: str, written: str) -> str:
    """An error about one cell of a file's row, saying where the cell is and what it holds as
    written (`Cell.shown`: as the file or Excel shows it, a percent-formatted 1.5 as "150 %"):
    "ожидается целое число (строка 5, столбец F «Количество участников»: «40,5»)".
    The value is left out when the cell is empty or the message already names it, and cut
    past WRITTEN_CHARS characters ("…")."""
    names = re.search(rf"(?<![\w.,/-]){re.escape(written)}(?![\w.,/-])", message)
    if len(written) > WRITTEN_CHARS:
        written = written[: WRITTEN_CHARS - 1] + "…"
    said = f": «{written}»" if written and not names else ""
    return f"{message} (строка {line}, столбец {column}{said})"


def _name_cells(
    rejected: list[Rejected],
    sheet: Sheet,
    fields: list[str | None],
    lines: dict[int, list[Cell]],
    importer: Importer,
) -> None:
    """Each error of a refused file row about one of its cells names the cell (`at_cell`)."""
    positions = {field: position for position, field in enumerate(fields) if field}
    for refused in rejected:
        cells = lines.get(refused.index)
        if cells is None:
            continue
        for error in refused.errors:
            candidates = importer.cell_fields(error.loc)
            position = next((positions[f] for f in candidates if f in positions), None)
            if position is None:
                continue
            written = cells[position].shown if position < len(cells) else ""
            error.msg = at_cell(error.msg, refused.index, sheet.column(position), written)


def column_repeated(sheet: Sheet, field: str, first: int, again: int) -> str:
    """Why a file whose header has two columns for one field the import reads is refused:
    "столбец «value» повторяется (столбцы 2 и 3): неясно, какой из них читать — оставьте
    один" (two titles of one field, «Значение» and «Значение показателя», are both named)."""
    titles = [sheet.header[first], sheet.header[again]]
    where = f"столбцы {sheet.column_label(first)} и {sheet.column_label(again)}"
    if titles[0] == titles[1]:
        said = f"столбец «{titles[0]}» повторяется ({where})"
    else:
        said = f"столбцы «{titles[0]}» и «{titles[1]}» означают одно и то же — {field} ({where})"
    return f"{said}: неясно, какой из них читать — оставьте один"


def _refuse_repeated_columns(sheet: Sheet, fields: list[str | None]) -> None:
    """Invalid (422) naming each column that repeats one the import reads (a key or a value:
    `fields` are what each column is read as, None for those not read), as a JSON row naming
    one key twice is (`repeated_key`): never one of the two picked silently. Columns the
    import does not read may repeat (they are said to be unused)."""
    first: dict[str, int] = {}
    errors = []
    for position, field in enumerate(fields):
        if field is None:
            continue
        if field not in first:
            first[field] = position
            continue
        message = column_repeated(sheet, field, first[field], position)
        title = sheet.header[position]
        errors.append(field_error([FIELD, title], message, kind="repeated_column"))
    if errors:
        detail = "; ".join(e["msg"] for e in errors)
        raise Invalid(f"В заголовке файла {detail}", errors=errors)


async def import_posted(
    session: AsyncSession,
    importer: Importer,
    items: list[Any],
    *,
    dry_run: bool,
    request: Request,
    idempotency_key: str | None,
) -> ImportSummary | JSONResponse:
    """The handler of a bulk JSON post: `run_import` of the body's rows (indexed from 0), once
    per `Idempotency-Key` (`_once`)."""

    async def run() -> ImportSummary:
        return await run_import(session, importer, list(enumerate(items)), dry_run=dry_run)

    body = await request.body()
    return await _once(session, importer, request, idempotency_key, body, run, dry_run=dry_run)


async def _once(
    session: AsyncSession,
    importer: Importer,
    request: Request,
    key: str | None,
    body: bytes,
    run: Callable[[], Any],
    *,
    dry_run: bool,
) -> Any:
    """`run` once per `Idempotency-Key` (kept in `importer.idempotency_keys`): a retry of the
    same request (body, and query: `dry_run`) gets the first answer, another one with the same
    key is 409. A dry run stores nothing, so it neither takes the key nor replays it: checking
    a file with a key and then storing it with the same key stores it."""
    if dry_run:
        return await run()
    keys = importer.idempotency_keys
    return await idempotent(session, keys, request, importer.principal, key, body, run)


async def import_uploaded(
    session: AsyncSession,
    importer: Importer,
    upload: Upload,
    *,
    dry_run: bool,
    request: Request,
    idempotency_key: str | None,
    form: dict[str, Any] | None = None,
    answer: Callable[[ImportSummary], Any] = lambda summary: summary,
) -> Any:
    """`import_upload` once per `Idempotency-Key` (`_once`; the request is the file's name and
    bytes and the other `form` fields, not the multipart body, whose boundary a client draws
    anew for each try), answering `answer(summary)`."""

    async def run() -> Any:
        return answer(await import_upload(session, importer, upload, dry_run=dry_run))

    said = b"\n".join(f"{k}={v}".encode() for k, v in sorted((form or {}).items()))
    body = upload.filename.encode() + b"\n" + said + b"\n" + upload.content
    return await _once(session, importer, request, idempotency_key, body, run, dry_run=dry_run)


async def import_upload(
    session: AsyncSession, importer: Importer, upload: Upload, *, dry_run: bool
) -> ImportSummary:
    """The handler of a bulk upload: `run_import` of a .csv or .xlsx file's rows (indexed by
    their line in the file), read within the upload's limits and `importer.max_rows` rows
    with data once the caller may import. The header is the first row holding every column of
    `importer.required` (titles above it and another sheet are said in `warnings`); a row
    with a value right of the header's last column is rejected naming the values, never cut;
    an error about a cell names it: its row, its column (letter in an .xlsx, number in a CSV,
    and header) and its value as written (`at_cell`); a used cell holding a formula without
    its saved result refuses its row saying so (`formula_without_result`). When a row is
    refused and the file was read in a guessed single-byte encoding (Windows-1251 or
    KOI8-R), `warnings` say which.
    Raises Forbidden (403) first, then UploadLimitExceeded (422 naming the limit) or Invalid
    naming `file` (also when no row has the required columns: "не найдены столбцы: …"), or
    naming the column when one the import reads is repeated (`_refuse_repeated_columns`)."""
    require_roles(importer.principal, *importer.writers)

    def missing(titles: list[str]) -> list[str]:
        present = set(importer.columns(titles))
        return [name for name, any_of in importer.required.items() if present.isdisjoint(any_of)]

    sheet = await parse_sheet(upload, max_rows=importer.max_rows, missing=missing)
    importer.warnings().extend(Notice(index=None, loc=[FIELD], msg=note) for note in sheet.notes)
    fields = importer.columns(list(sheet.header))
    _refuse_repeated_columns(sheet, fields)
    for title, field in zip(sheet.header, fields, strict=True):
        if field is None and title:
            importer.warnings().append(
                Notice(index=None, loc=[title], msg=reinterpreted.column_unused(title))
            )
    width = max((i + 1 for i, title in enumerate(sheet.header) if title), default=0)
    untitled = {i for i, title in enumerate(sheet.header[:width]) if not title}
    rows, refused = [], []
    for line, cells in sheet.rows:
        for position in [p for p in untitled if p < len(cells) and cells[p].type != CellType.empty]:
            untitled.discard(position)
            message = reinterpreted.column_untitled(sheet.column_label(position))
            importer.warnings().append(Notice(index=None, loc=[FIELD], msg=message))
        if extra := [c.shown for c in cells[width:] if c.type != CellType.empty]:
            refused.append(rejection(line, FIELD, past_header(extra, sheet.separator, line)))
            continue
        pairs = [(f, c) for f, c in zip(fields, cells, strict=False) if f]
        if unsaved := [(f, c.unsaved_formula) for f, c in pairs if c.unsaved_formula]:
            errors = [RowError(loc=[f], msg=formula_without_result(text)) for f, text in unsaved]
            refused.append(Rejected(index=line, errors=errors))
            continue
        if failed := [(f, said) for f, c in pairs if (said := excel_error(c.raw))]:
            refused.append(
                Rejected(index=line, errors=[RowError(loc=[f], msg=m) for f, m in failed])
            )
            continue
        row = {f: c for f, c in pairs if c.type != CellType.empty}
        rows.append((line, importer.from_spreadsheet(line, row)))
    lines = dict(sheet.rows)
    empty = (FIELD, "В файле нет строк с данными под заголовком: ничего не сохранено")
    summary = await run_import(
        session, importer, rows, dry_run=dry_run, refused=refused, empty=empty
    )
    if summary.rejected and (guessed := SINGLE_BYTE_ENCODINGS.get(sheet.encoding or "")):
        note = Notice(index=None, loc=[FIELD], msg=reinterpreted.encoding_guessed(guessed))
        summary.warnings.insert(0, note)
    _name_cells(summary.rejected, sheet, fields, lines, importer)
    return summary


def add_import_routes(
    router: APIRouter,
    path: str,
    *,
    body: type[BaseModel],
    importer: Callable[[AsyncSession, Any, Principal], Importer],
    caller: Any,
    scopes: Any,
    names: tuple[str, str],
    columns: str,
    responses: tuple[dict[int | str, Any], dict[int | str, Any]],
    dependencies: Sequence[Any] = (),
) -> None:
    """The two endpoints of one bulk import on `router`: `POST {path}` (a JSON `body` whose
    list field is `importer.field`) and `POST {path}/upload` (a .csv or .xlsx `file`,
    described by `columns`), both with `dry_run` and `Idempotency-Key`, answering
    `ImportSummary`.

    `importer` is a class with the body's field as `field` (it names the rows in the docs),
    made for each request as `importer(session, scopes, principal)`; `caller` and `scopes`
    are the service's dependencies (Annotated types) for the principal and the scope resolver;
    `names` the routes' names (operation ids), `responses` the documented errors of the post
    and of the upload; `dependencies` the routes' gates (who may ever post, answered before
    the body is read)."""
    Body, Caller, Scopes = body, caller, scopes  # annotations of the endpoints below

    async def post(
        body: Body,
        request: Request,
        session: SessionDep,
        caller: Caller,
        scopes: Scopes,
        dry_run: DryRun = False,
        idempotency_key: IdempotencyKey = None,
    ) -> ImportSummary | JSONResponse:
        made = importer(session, scopes, caller)
        items = getattr(body, made.field)
        return await import_posted(
            session, made, items, dry_run=dry_run, request=request, idempotency_key=idempotency_key
        )

    async def upload(
        file: Annotated[UploadFile, File(description=columns)],
        request: Request,
        session: SessionDep,
        caller: Caller,
        scopes: Scopes,
        limits: UploadLimitsDep,
        dry_run: DryRun = False,
        idempotency_key: IdempotencyKey = None,
    ) -> ImportSummary | JSONResponse:
        read = await read_upload(file, limits)
        made = importer(session, scopes, caller)
        return await import_uploaded(
            session, made, read, dry_run=dry_run, request=request, idempotency_key=idempotency_key
        )

    router.add_api_route(
        path,
        post,
        methods=["POST"],
        name=names[0],
        response_model=ImportSummary,
        responses=responses[0],
        description=f"Store the valid {importer.field} (new, changed) and say which rows were "
        "rejected and why.\n\nAlso for school information systems with an API key (their own "
        "organization only).",
        route_class_override=FastJsonRoute,  # 10,000 rows of JSON read 3-4x faster
        dependencies=list(dependencies),
    )
    router.post(
        f"{path}/upload",
        name=names[1],
        response_model=ImportSummary,
        responses=responses[1],
        description="The same as a post, from a spreadsheet; `index` in `rejected` is the row "
        "of the file.\n\nThe file is read within the upload limits (413 past its size; 422 "
        'naming the limit past\n10,000 rows with data or another bound of README "Upload '
        'limits").',
        dependencies=list(dependencies),
    )(upload)
