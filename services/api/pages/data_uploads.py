"""HTTP: «Загрузить данные» on the api's pages, `/data-values/upload`: a .csv or .xlsx file of
data values sent from a browser, as `POST /v1/data-values/upload` takes it.

The page (linked from the leader's and the analyst's homes) shows the expected columns with an
example, a link to an empty .xlsx template (`/data-values/upload/template.xlsx`) and the form:
the file, «Проверить без сохранения» (a dry run: checked and counted, nothing stored) and
«Загрузить». A post runs the API's own handler (`shared.bulk_http.import_uploaded` with
`DataValueImporter`, the visitor's principal and scope), so rows, rights and limits are the
API's: a leader stores their school's values, an analyst their territory's. The answer is
Post/Redirect/Get: the summary is kept (`_keep`, in the API's idempotency table under the
visitor) and a 303 leads to `?result=<id>`, the page again with the summary in Russian (new /
changed / unchanged, the refused rows with their column and reason, the warnings, the broken
validation rules), so a reload shows it again and stores nothing. Each rendered form carries
its own token (`upload`): the same form posted twice with the same file and button (a
double click, «resend» of an old page) stores once and leads to the first summary. A file the
API refuses whole
(too large: 413; unreadable, a limit passed, no expected columns: 422) is the page with the
reason; a role that may not import: a 403 page. Every POST carries the session's CSRF token
(403 page without it).
"""

import hashlib
import io
import re
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.access import FIGURE_WRITERS
from services.api.data_values.service import DataValueImporter
from services.api.indicators.models import Indicator
from services.api.organizations.models import Organization
from services.api.pages import upload_help
from services.api.pages.forms import page_form
from services.api.pages.render import page
from services.api.pages.router import _message, _redirect
from services.api.pages.session import Visitor, sign_in_first, visitor
from services.api.territories.scope import DbScopeResolver
from services.api.validation.models import ValidationRule
from shared.bulk import ImportSummary, Violation
from shared.bulk_http import import_upload
from shared.db import SessionDep
from shared.errors import Conflict, Forbidden, Invalid, SokoError
from shared.idempotency import claim, owner_of, store_answer
from shared.identity import Principal, Role
from shared.numbers import file_size
from shared.rule_words import sides_words
from shared.uploads import UploadTooLarge, read_upload, upload_limits
from shared.uploads.limits import sentence

router = APIRouter(include_in_schema=False)
PATH = "/data-values/upload"
# The columns of the template and of the page's example (titles the import reads).
TEMPLATE_COLUMNS = ("Показатель", "Организация", "Период", "Значение")
# A row's field (`loc[0]` of an error or a notice) as the page names its column.
COLUMN_NAMES = {
    "indicator_code": "Показатель",
    "organization_id": "Организация",
    "organization": "Организация",
    "period": "Период",
    "value": "Значение",
    "file": "Файл",
    "values": "Файл",
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RESULT = re.compile(r"[0-9a-f]{32}")  # a kept summary's id in `?result=`


def may_upload(principal: Principal) -> bool:
    """Does the import take this person's files (its `writers`; an administrator always)?"""
    return principal.unrestricted or principal.role in FIGURE_WRITERS


def column_of(loc: list[Any]) -> str:
    """The column an error or a notice at `loc` is about, in Russian (a file's own title as it
    is; «—» for none)."""
    if not loc:
        return "—"
    return COLUMN_NAMES.get(str(loc[0]), str(loc[0]))


async def _form_page(
    request: Request,
    session: AsyncSession,
    person: Visitor,
    status_code: int = 200,
    *,
    summary: ImportSummary | None = None,
    file_name: str = "",
    problems: list[str] | None = None,
    organization_names: dict[uuid.UUID, str] | None = None,
    violation_values: list[str] | None = None,
) -> Response:
    """The page: the form and the help; after a post, `summary` or `problems` (why the file
    named `file_name` was refused whole)."""
    leader = person.principal.role == Role.organization_leader
    limits = upload_limits(request)
    access = person.access(session)
    indicators = await upload_help.asked(access, request.app.state.settings.today())
    school = await upload_help.example_school(access, person.scope_name if leader else None)
    return page(
        request,
        "data_upload.html",
        status_code,
        person=person,
        summary=summary,
        file_name=file_name,
        problems=problems or [],
        max_size=file_size(limits.max_bytes),
        max_rows=f"{DataValueImporter.max_rows:,}".replace(",", "\u00a0"),
        columns=TEMPLATE_COLUMNS,
        column_of=column_of,
        organization_names=organization_names or {},
        violation_values=violation_values or [],
        example_school=school or "МБОУ «СОШ № 1»",
        indicators=indicators,
        upload_token=uuid.uuid4().hex,
    )


@router.get(PATH)
async def upload_page(request: Request, session: SessionDep) -> Response:
    """The form, the expected columns and the template's link; a 403 page for a role whose
    files the import does not take (a viewer, a teacher, a methodologist)."""
    person = await visitor(request, session)
    if person is None:
        return sign_in_first(request)
    if not may_upload(person.principal):
        return _message(request, 403, "forbidden", person, "data_values")
    kept = await _kept(session, person.principal, request.query_params.get("result", ""))
    if kept is None:
        return await _form_page(request, session, person)
    name, summary = kept
    names = await _names(session, {v.organization_id for v in summary.violations})
    values = await _violation_values(session, summary.violations)
    return await _form_page(
        request,
        session,
        person,
        summary=summary,
        file_name=name,
        organization_names=names,
        violation_values=values,
    )


def _key(result: str) -> str:
    """The idempotency table's key of a kept summary (apart from API clients' own keys)."""
    return f"page:data-values-upload:{result}"


async def _keep(session: AsyncSession, principal: Principal, request: Request, result: str) -> bool:
    """Claim `result` (the post's id) for the visitor: False when this post was made already
    (a reload or a double click: its summary is kept or being kept)."""
    owner = owner_of(principal)
    digest = hashlib.sha256(_key(result).encode()).hexdigest()
    return await claim(
        session, DataValueImporter.idempotency_keys, request, owner, _key(result), digest
    )


async def _kept(
    session: AsyncSession, principal: Principal, result: str
) -> tuple[str, ImportSummary] | None:
    """The file name and summary kept for the visitor's post `result`; None for none (another
    visitor's, expired after a day or two, or not an id)."""
    if not RESULT.fullmatch(result):
        return None
    table = DataValueImporter.idempotency_keys
    answer = await session.scalar(
        select(table.c.response).where(
            table.c.principal == owner_of(principal),
            table.c.key_hash == hashlib.sha256(_key(result).encode()).hexdigest(),
        )
    )
    if not isinstance(answer, dict):
        return None
    return str(answer.get("file_name", "")), ImportSummary.model_validate(answer["summary"])


@router.get(f"{PATH}/template.xlsx")
async def template(request: Request, session: SessionDep) -> Response:
    """An .xlsx with the expected columns' titles (`TEMPLATE_COLUMNS`) in bold; for a
    leader, a row to fill per indicator their open collections ask for (code, their school,
    the period, the value empty); for anyone with such indicators, a second sheet
    «Показатели» naming them (`upload_help.asked`)."""
    person = await visitor(request, session)
    if person is None:
        return sign_in_first(request, PATH)
    if not may_upload(person.principal):  # as the page: the template is of no use to them
        return _message(request, 403, "forbidden", person, "data_values")
    access = person.access(session)
    indicators = await upload_help.asked(access, request.app.state.settings.today())
    leader = person.principal.role == Role.organization_leader
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Данные"
    sheet.append(list(TEMPLATE_COLUMNS))
    for cell, width in zip(sheet[1], (28, 40, 14, 14), strict=True):
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = width
    if leader and person.scope_name:
        for a in indicators:
            sheet.append([a.code, person.scope_name, a.period, None])
    if indicators:
        listed = book.create_sheet("Показатели")
        listed.append(["Код", "Показатель", "Значение", "Период", "Сбор данных"])
        for a in indicators:
            listed.append([a.code, a.name, a.value, a.period, a.collection])
        for cell, width in zip(listed[1], (28, 60, 22, 14, 40), strict=True):
            cell.font = Font(bold=True)
            listed.column_dimensions[cell.column_letter].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    disposition = 'attachment; filename="soko-data-values.xlsx"'
    headers = {"Content-Disposition": disposition, "Cache-Control": "no-store"}
    return Response(buffer.getvalue(), media_type=XLSX, headers=headers)


@router.post(PATH)
async def upload(request: Request, session: SessionDep) -> Response:
    """A file (`file`, multipart), the form's token (`upload`) and the button pressed
    (`action`: `check` for a dry run, else stored): a 303 to the page with the import's
    summary (`?result=`; the same form, file and button again: to the first summary, nothing
    stored again). The page with the reason and
    nothing stored for no file (422), a file past SOKO_UPLOAD_MAX_BYTES (413) or one the
    import refuses whole (422: unreadable, a limit passed, no expected columns); a 403 page
    without the CSRF token or the right, 422 for a field sent twice (`page_form`: which
    button, which file was meant is unknown); without a session, the sign-in page leading
    back here."""
    posted = await page_form(request, session, back=PATH, max_files=1, max_fields=10)
    if isinstance(posted, Response):
        return posted
    person, fields, sent = posted.person, posted.fields, posted.file("file")
    if not may_upload(person.principal):
        return _message(request, 403, "forbidden", person, "data_values")
    if sent is None:
        return await _form_page(
            request, session, person, 422, problems=["Выберите файл .csv или .xlsx."]
        )
    dry_run = fields.get("action") == "check"
    name = sent.filename or ""
    token = fields.get("upload") or uuid.uuid4().hex  # an old form without one: anew
    try:
        read = await read_upload(sent, upload_limits(request))
        said = f"{token}\n{dry_run}\n{name}\n".encode() + read.content
        result = hashlib.sha256(said).hexdigest()[:32]
        if not await _keep(session, person.principal, request, result):
            return _redirect(f"{PATH}?result={result}#summary-title")
        importer = DataValueImporter(session, DbScopeResolver(session), person.principal)
        summary = await import_upload(session, importer, read, dry_run=dry_run)
    except Forbidden:
        await session.rollback()
        return _message(request, 403, "forbidden", person, "data_values")
    except (UploadTooLarge, Invalid, Conflict) as error:
        await session.rollback()  # nothing was stored; nothing half-done is kept either
        return await _refused(request, session, person, error.status, name, error)
    kept = {"file_name": name, "summary": summary.model_dump(mode="json")}
    owner = owner_of(person.principal)
    await store_answer(session, importer.idempotency_keys, owner, _key(result), 200, kept)
    return _redirect(f"{PATH}?result={result}#summary-title")


async def _violation_values(session: AsyncSession, violations: list[Violation]) -> list[str]:
    """Each broken rule's two sides with their values, named as the leader's home names them
    («Квалифицированных» = 60; «Педагогов всего» = 50: `shared.rule_words`), so the file's
    author sees which figures to fix (the rules are those the import just evaluated)."""
    if not violations:
        return []
    query = select(ValidationRule).where(ValidationRule.code.in_({v.rule_code for v in violations}))
    rules = {rule.code: rule for rule in await session.scalars(query)}
    codes = {code for rule in rules.values() for code in rule.indicator_codes}
    query = select(Indicator.code, Indicator.name).where(Indicator.code.in_(codes))
    names = {code: name for code, name in await session.execute(query)}
    return [
        sides_words(rule.left, rule.right, v.left_value, v.right_value, names)
        if (rule := rules.get(v.rule_code))
        else ""
        for v in violations
    ]


async def _names(session: AsyncSession, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The organizations' short names (else full) by id: those a summary's rules name."""
    if not ids:
        return {}
    rows = await session.execute(
        select(Organization.id, Organization.short_name, Organization.name).where(
            Organization.id.in_(ids)
        )
    )
    return {id_: short or name for id_, short, name in rows}


async def _refused(
    request: Request,
    session: AsyncSession,
    person: Visitor,
    status: int,
    name: str,
    error: SokoError,
) -> Response:
    """The page saying why the file was refused whole, under «Файл не принят: name»: the
    error's reasons (the API's Russian) each said once, as sentences (`refusal_sentences`)."""
    said = refusal_sentences(error)
    return await _form_page(request, session, person, status, file_name=name, problems=said)


# What the API's details begin with and the page's heading already says; the setting a
# limit is of, for API clients' administrators, not for the person at the page.
_REFUSED = re.compile(r"^(Файл|Запрос) не принят:\s*")
_SETTING = re.compile(r"\s*\(ограничение SOKO_[A-Z_]+\)")


def refusal_sentences(error: SokoError) -> list[str]:
    """Why a file was refused whole, as the page lists it: each reason once, a sentence
    ending with a full stop, without the setting's name; a reason about rows of the file
    (`loc` ["values", row, …]) is said once naming them all («Строки 2, 5: значение
    утверждено — …»)."""
    plain = getattr(error, "plain", None)  # an upload limit's own words for people
    detail = _SETTING.sub("", _REFUSED.sub("", plain or error.detail))
    said = [sentence(detail)] if detail else []
    rows: dict[str, list[int]] = {}  # a row's reason: the rows it is said of
    for e in error.errors or []:
        message = _SETTING.sub("", str(e.get("msg") or "")).strip()
        loc = list(e.get("loc") or [])
        row = loc[1] if len(loc) > 1 and loc[0] == "values" and isinstance(loc[1], int) else None
        if row is None:
            if message and message.rstrip(".").casefold() not in detail.casefold():
                said.append(sentence(message))
            continue
        rows.setdefault(message, []).append(row)
    for message, numbers in rows.items():
        where = "Строка" if len(numbers) == 1 else "Строки"
        listed = ", ".join(str(n) for n in sorted(set(numbers)))
        said.append(sentence(f"{where} {listed}: {message[:1].lower()}{message[1:]}"))
    return list(dict.fromkeys(said))
