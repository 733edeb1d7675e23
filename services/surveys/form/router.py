"""HTTP: the respondents' form at /s/{code}, as HTML pages outside the /v1 API.

Every outcome is a page in Russian, never problem+json: a parent on a phone gets a 404 page for
a wrong link, a page with the dates for a closed campaign, the form again with the errors next
to the questions. A successful anonymous post redirects (303) to the thank-you page, so that
reloading it cannot send the answers twice.
"""

from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import jinja2
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from services.surveys.campaigns.service import status
from services.surveys.deps import SettingsDep
from services.surveys.form import service, view
from services.surveys.form.service import FormLink
from services.surveys.instruments.definition import InstrumentDefinition
from services.surveys.responses.router import anonymous_limit
from services.surveys.responses.service import definition_of, draft_of, submit
from shared.context import client_address_var
from shared.db import SessionDep
from shared.errors import Conflict, Invalid, NotFound
from shared.settings import Settings
from shared.validation import nul_errors

HERE = Path(__file__).parent
STATIC_PATH = "/s/static"
# Room for the longest answers: every text question may hold 5000 characters, each of which
# URL-encodes to up to 6 bytes in Cyrillic.
MAX_FORM_BODY = 256 * 1024
MAX_FIELDS = 2000
DRAFT = ("_action", "draft")
# Pages may show drafts and personal results: no browser or proxy keeps them.
NO_STORE = {"Cache-Control": "no-store"}

router = APIRouter()
static_files = StaticFiles(directory=HERE / "static")
templates = Jinja2Templates(
    env=jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
)
templates.env.filters["num"] = lambda x: f"{x:g}".replace(".", ",")


def _page(
    request: Request,
    name: str,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> Response:
    return templates.TemplateResponse(
        request, name, context, status_code=status_code, headers=NO_STORE | (headers or {})
    )


def _message(
    request: Request, status_code: int, kind: str, headers: dict[str, str] | None = None, **extra
) -> Response:
    return _page(request, "message.html", status_code, headers, kind=kind, **extra)


def _not_open(request: Request, link: FormLink, settings: Settings) -> Response:
    window = service.window(link.campaign, settings.timezone)
    return _message(
        request,
        409,
        "not_open",
        title=link.campaign.title,
        window=window,
        moscow=settings.timezone == "Europe/Moscow",
    )


def _form(
    request: Request,
    link: FormLink,
    definition: InstrumentDefinition,
    values: view.FormValues,
    *,
    errors: list[dict[str, Any]] | None = None,
    status_code: int = 200,
    notice: str | None = None,
) -> Response:
    return _page(
        request,
        "form.html",
        status_code,
        code=link.code,
        title=link.campaign.title,
        description=definition.description,
        kind=definition.kind,
        personal=link.personal,
        form=view.build(definition, values, errors),
        show_progress=bool(values or errors),
        notice=notice,
    )


async def _fields(request: Request) -> list[tuple[str, str]] | None:
    """The posted fields (application/x-www-form-urlencoded), or None when too many or too big."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_FORM_BODY:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BODY:
            return None
    try:
        text = body.decode("utf-8", errors="replace")
        return parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except ValueError:
        return None


@router.get("/s/{code}", include_in_schema=False)
async def show_form(
    code: str, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    """The form of the campaign's instrument version; a personal link shows its saved draft."""
    try:
        link = await service.resolve(session, code)
    except NotFound:
        return _message(request, 404, "not_found")
    if status(link.campaign) != "open":
        return _not_open(request, link, settings)
    definition = await definition_of(session, link.campaign.instrument_version_id)
    values: view.FormValues = {}
    if link.invitation is not None:
        existing = await draft_of(session, link.invitation)
        if existing is not None and existing.status == "submitted":
            return _message(request, 200, "already_sent")
        if existing is not None and existing.draft:
            values = view.values_from(definition, existing.draft)
    saved = link.personal and request.query_params.get("saved") == "1"
    return _form(request, link, definition, values, notice="saved" if saved else None)


@router.post("/s/{code}", include_in_schema=False)
async def submit_form(
    code: str, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    """Answers from the form fields; a personal link may save them as a draft instead."""
    try:
        link = await service.resolve(session, code)
    except NotFound:
        return _message(request, 404, "not_found")
    if not link.personal:
        wait = anonymous_limit(settings).retry_after(client_address_var.get() or "-")
        if wait is not None:
            return _message(request, 429, "too_many", headers={"Retry-After": str(wait)})
    pairs = await _fields(request)
    if pairs is None:
        return _message(request, 413, "too_large")
    if status(link.campaign) != "open":
        return _not_open(request, link, settings)
    definition = await definition_of(session, link.campaign.instrument_version_id)
    values = view.form_values(definition, pairs)
    # U+0000 cannot be stored: the form comes back with the error at the question.
    if nul := nul_errors({q: "\n".join(texts) for q, texts in values.items()}, ("body", "answers")):
        return _form(request, link, definition, values, errors=nul, status_code=422)
    draft = link.personal and DRAFT in pairs
    try:
        response = await submit(
            session,
            link.campaign,
            organization_id=link.organization_id,
            answers=view.answers_from(definition, values),
            invitation=link.invitation,
            draft=draft,
            today=settings.today(),
            drop_irrelevant=True,
        )
    except Invalid as exc:
        notice = "draft_failed" if draft else None
        return _form(
            request, link, definition, values, errors=exc.errors, status_code=422, notice=notice
        )
    except Conflict:
        if status(link.campaign) != "open":  # closed between the check above and the submit
            return _not_open(request, link, settings)
        return _message(request, 409, "already_sent")
    if draft:
        return RedirectResponse(f"/s/{code}?saved=1", status_code=303, headers=NO_STORE)
    if not link.personal:
        return RedirectResponse(f"/s/{code}/thanks", status_code=303, headers=NO_STORE)
    results = (
        await service.profile(session, definition, response) if definition.kind == "deficit" else []
    )
    return _page(request, "thanks.html", title=link.campaign.title, profile=results)


@router.get("/s/{code}/thanks", include_in_schema=False)
async def thanks(code: str, request: Request, session: SessionDep) -> Response:
    """Where an anonymous submission lands."""
    try:
        link = await service.resolve(session, code)
    except NotFound:
        return _message(request, 404, "not_found")
    return _page(request, "thanks.html", title=link.campaign.title, profile=[])
