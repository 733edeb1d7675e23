"""HTTP: the respondents' form at /s/{code}, as HTML pages outside the /v1 API.

Every outcome is a page in Russian, never problem+json: a parent on a phone gets a 404 page for
a wrong link, a page with the dates for a closed campaign, the form again with the errors next
to the questions. A successful post redirects (303) to the thank-you page, so that reloading
it cannot send the answers twice, and Back after sending shows the thank-you page again
(thanks.py says how the form knows the answers went through).

Each rendered form carries a one-time random submission token (`SUBMISSION_FIELD`). A
submission claims it in the idempotency table (`shared.idempotency`: a hash of it and the day,
kept two days at most, never on the response row); a second post of the same token (the
browser resending it, Back and "Отправить ответы" again) stores nothing and lands on the
thank-you page. A failed submission gives its token back. A post without a token (not from our
page) is taken as it comes.

An organization's anonymous link is public. A personal link (an invitation) serves its form,
drafts, answers and the competence profile only to its own staff member, signed in (see
session.py): without a session it shows the sign-in page, with anyone else's a 403 page;
nothing is stored or shown to them.
"""

import contextlib
import functools
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.ext.asyncio import AsyncSession

from services.surveys.campaigns.window import status
from services.surveys.clients.api import ApiClient
from services.surveys.deps import (
    AnonymousLimit,
    Api,
    DefinitionsDep,
    PersonalLink,
    SettingsDep,
    ValidLink,
)
from services.surveys.form import pages, service, thanks, view
from services.surveys.form.pages import CARRIED, NO_STORE, Account
from services.surveys.form.posted import (
    first,
    first_use,
    give_back,
    read_fields,
    repeated,
    submission_token,
)
from services.surveys.form.service import FormLink, store
from services.surveys.form.session import (
    CSRF_FIELD,
    SESSION_COOKIE,
    Csrf,
    csrf_valid,
    end_pages_session,
    end_session,
    operator,
    start_session,
    visitor,
)
from services.surveys.instruments.parsed import Definitions
from services.surveys.responses.service import count_public, draft_of
from shared.context import client_address_var
from shared.db import SessionDep
from shared.errors import Conflict, Invalid, PeerUnavailable, TooManyRequests
from shared.headers import SESSION_COOKIE as PAGES_SESSION_COOKIE
from shared.identity import decode_token
from shared.outage import DatabaseUnavailable
from shared.settings import Settings
from shared.validation import unstorable_errors

STATIC_PATH = "/s/static"
DRAFT = ("_action", "draft")

router = APIRouter()
static_files = StaticFiles(directory=pages.HERE / "static")


def outage_page(request: Request, unavailable: DatabaseUnavailable) -> Response | None:
    """While the database is away, a page of the form's (/s/...) says so in Russian: 503 with
    `Retry-After`, like the form's other error pages; None for any other path (problem+json)."""
    if not request.scope["path"].startswith("/s/"):
        return None
    return pages.message(request, 503, "unavailable", headers=unavailable.headers)


async def _owner(
    request: Request, link: FormLink, settings: Settings, *, status_code: int = 200, **sign_in: Any
) -> Account | Response:
    """For a personal link: its staff member signed in (with the CSRF token of their forms),
    or the page to answer instead: the sign-in page without a session (or with one whose
    account has changed since), a 403 page with anyone else's (it says nothing of the link:
    whose, which campaign), a 503 page when the api service cannot vouch for the session."""
    assert link.invitation is not None
    csrf = Csrf.of(request, settings)
    try:
        # The form's own session, or the one of the api's pages (a teacher who came from
        # their home): one sign-in is enough.
        person = await visitor(request, settings) or await operator(request, settings)
    except PeerUnavailable:
        return pages.message(request, 503, "unavailable", headers={"Retry-After": "5"})
    if person is None:
        return pages.sign_in(request, link, csrf, status_code=status_code, **sign_in)
    account = Account(person.name or "", csrf, link.code, _home(settings))
    if person.staff_id != link.invitation.staff_id:
        return pages.message(request, 403, "not_yours", account=account)
    return account


def _home(settings: Settings) -> str:
    """The signed-in person's home on the api's pages (their diagnostics, results, route)."""
    return f"{settings.peer_url('api').rstrip('/')}/home"


# What a link copied out of a sentence brings along: «…/s/Q3iNw4FYDGfY.» or «(…/s/…)».
_TRAILING = ".,;:!?)]}»\"'…"


async def link_not_found_page(request: Request, _exc: Exception) -> Response:
    """The 404 page of a link code with no form behind it (`LinkNotFound`, raised by the
    `ValidLink` and `PersonalLink` dependencies), installed on the app as its handler. A
    code ending in punctuation a message put after the link is sent (303) to the code
    without it, on a GET: «Анкета не найдена» for a link that is right but for its full
    stop sent parents away."""
    code = str(request.path_params.get("code", ""))
    trimmed = code.rstrip(_TRAILING)
    if request.method == "GET" and trimmed and trimmed != code:
        rest = request.url.path.split(code, 1)[1] if code in request.url.path else ""
        return RedirectResponse(f"/s/{trimmed}{rest}", status_code=303, headers=NO_STORE)
    return pages.message(request, 404, "not_found")


@router.get("/s/{code}", include_in_schema=False)
async def show_form(
    link: ValidLink,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    definitions: DefinitionsDep,
    api: Api,
) -> Response:
    """The form of the campaign's instrument version, naming the organization; a personal
    link, to its staff member signed in, with their saved draft. The thank-you page instead
    when the answers of this link went through already (see thanks.py): Back after sending."""
    account = None
    if link.personal:
        if isinstance(owner := await _owner(request, link, settings), Response):
            return owner
        account = owner
    elif thanks.wants_again(request):
        return thanks.start_again(request, link)
    if status(link.campaign) != "open":
        return pages.not_open(request, link, settings, account=account)
    definition = await definitions.get(session, link.campaign.instrument_version_id)
    organization = await service.organization_name(api, link.organization_id)
    values: view.FormValues = {}
    if link.invitation is not None:
        existing = await draft_of(session, link.invitation)
        if existing is not None and existing.status == "submitted":
            assert account is not None
            return await thanks.personal(
                request, session, link, definition, existing, account, organization
            )
        if existing is not None and existing.draft:
            values = view.values_from(definition, existing.draft)
    elif thanks.sent_here(request):
        return thanks.anonymous(request, link, organization)
    saved = link.personal and request.query_params.get("saved") == "1"
    notice = "saved" if saved else None
    return pages.form(
        request, link, definition, values, notice=notice, account=account, organization=organization
    )


@router.post("/s/{code}", include_in_schema=False)
async def submit_form(
    link: ValidLink,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    limit: AnonymousLimit,
    definitions: DefinitionsDep,
    api: Api,
) -> Response:
    """Answers from the form fields; a personal link may save them as a draft instead."""
    if not link.personal:
        try:
            await count_public(limit, client_address_var.get())
        except TooManyRequests as exc:
            return pages.message(request, 429, "too_many", headers=exc.headers)
    pairs = await read_fields(request)
    if pairs is None:
        return pages.message(request, 413, "too_large")
    if (name := repeated(pairs)) is not None:  # submit or draft? which token? nothing stored
        return pages.message(request, 422, "repeated", field=name)
    account = None
    if link.personal:
        # Without a session, the sign-in page carries the answers on: none is lost.
        carried = [(k, v) for k, v in pairs if k != CSRF_FIELD and not k.startswith(CARRIED)]
        owner = await _owner(
            request, link, settings, status_code=401, carried=carried, problem="ended"
        )
        if isinstance(owner, Response):
            return owner
        account = owner
    if status(link.campaign) != "open":
        return pages.not_open(request, link, settings, account=account)
    definition = await definitions.get(session, link.campaign.instrument_version_id)
    organization = await service.organization_name(api, link.organization_id)
    values = view.form_values(definition, pairs)
    # The form again, with these answers (and what is wrong with them).
    again = functools.partial(
        pages.form, request, link, definition, values, account=account, organization=organization
    )
    if link.personal and not csrf_valid(request, settings, first(pairs, CSRF_FIELD)):
        # Not from our page (or from one too old): shown again, nothing stored.
        return again(status_code=403, notice="csrf")
    # U+0000 cannot be stored: the form comes back with the error at the question.
    texts = {q: "\n".join(texts) for q, texts in values.items()}
    if unstorable := unstorable_errors(texts, ("body", "answers")):
        return again(errors=unstorable, status_code=422)
    draft = link.personal and DRAFT in pairs
    token = None if draft else submission_token(pairs)
    if token is not None and not await first_use(session, request, token):
        # Sent already: the first submission stands, this one stores nothing.
        return thanks.to_thanks(request, link)
    try:
        await store(session, link, definitions, definition, values, settings.today(), draft=draft)
    except Invalid as exc:
        if token is not None:
            await give_back(session, token)
        notice = "draft_failed" if draft else None
        return again(errors=exc.errors, status_code=422, notice=notice)
    except Conflict:
        if token is not None:
            await give_back(session, token)
        if status(link.campaign) != "open":  # closed between the check above and the submit
            return pages.not_open(request, link, settings, account=account)
        return pages.message(request, 409, "already_sent", account=account)
    if draft:
        # The confirmation is where the page opens: focused, and the fragment scrolls to it.
        location = f"/s/{link.code}?saved=1#{pages.DRAFT_SAVED}"
        return RedirectResponse(location, status_code=303, headers=NO_STORE)
    return thanks.to_thanks(request, link)


@router.get("/s/{code}/thanks", include_in_schema=False)
async def thanks_page(
    link: ValidLink,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    definitions: DefinitionsDep,
    api: Api,
) -> Response:
    """Where a submission lands; for a personal link, its staff member's profile. Opened by
    a browser that sent nothing through this link (an address copied and passed on), the
    form instead: «Спасибо! Ваши ответы приняты» for answers never sent misled."""
    if link.invitation is None:
        if not thanks.sent_here(request):
            return RedirectResponse(f"/s/{link.code}", status_code=303, headers=NO_STORE)
        organization = await service.organization_name(api, link.organization_id)
        return thanks.anonymous(request, link, organization)
    if isinstance(owner := await _owner(request, link, settings), Response):
        return owner
    response = await draft_of(session, link.invitation)
    if response is None or response.status != "submitted":
        return RedirectResponse(f"/s/{link.code}", status_code=303, headers=NO_STORE)
    definition = await definitions.get(session, link.campaign.instrument_version_id)
    organization = await service.organization_name(api, link.organization_id)
    return await thanks.personal(request, session, link, definition, response, owner, organization)


@router.post("/s/{code}/sign-in", include_in_schema=False)
async def sign_in(
    link: PersonalLink,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    api: Api,
    definitions: DefinitionsDep,
) -> Response:
    """Email and password, checked by the api service for the browser's address; then the
    form (with the answers carried over, if any) or the 403 page when it is not their link."""
    pairs = await read_fields(request)
    if pairs is None:
        return pages.message(request, 413, "too_large")
    if (name := repeated(pairs)) is not None:  # which address was meant? nobody signed in
        return pages.message(request, 422, "repeated", field=name)
    carried = [(k.removeprefix(CARRIED), v) for k, v in pairs if k.startswith(CARRIED)]
    email = (first(pairs, "username") or "").strip()
    csrf = Csrf.of(request, settings)

    def again(status_code: int, problem: str, retry_after: int | None = None) -> Response:
        return pages.sign_in(
            request,
            link,
            csrf,
            status_code=status_code,
            problem=problem,
            carried=carried,
            email=email,
            retry_after=retry_after,
        )

    if not csrf_valid(request, settings, first(pairs, CSRF_FIELD)):
        return again(403, "csrf")
    password = first(pairs, "password") or ""
    if not email or not password:
        return again(422, "missing")
    try:
        outcome = await api.sign_in(email, password, client_address_var.get())
    except PeerUnavailable:
        return again(503, "unavailable")
    if outcome.retry_after is not None:
        return again(429, "throttled", outcome.retry_after)
    if outcome.token is None:
        return again(401, "wrong")
    person = decode_token(settings, outcome.token)
    account = Account(person.name or "", csrf, link.code, _home(settings))
    page = await _landing(
        request, session, link, account, carried, definitions, person.staff_id, api
    )
    return start_session(request, page, outcome.token, outcome.expires_in)


async def _landing(
    request: Request,
    session: AsyncSession,
    link: FormLink,
    account: Account,
    carried: list[tuple[str, str]],
    definitions: Definitions,
    staff_id: uuid.UUID | None,
    api: ApiClient,
) -> Response:
    """Where a sign-in lands: the 403 page when the link is someone else's; the form with
    the answers carried over (if any, and the campaign still open); else the link itself."""
    assert link.invitation is not None
    if staff_id != link.invitation.staff_id:
        return pages.message(request, 403, "not_yours", account=account)
    if not carried or status(link.campaign) != "open":
        return RedirectResponse(f"/s/{link.code}", status_code=303, headers=NO_STORE)
    existing = await draft_of(session, link.invitation)
    if existing is not None and existing.status == "submitted":
        return pages.message(request, 409, "already_sent", account=account)
    definition = await definitions.get(session, link.campaign.instrument_version_id)
    values = view.form_values(definition, carried)
    organization = await service.organization_name(api, link.organization_id)
    return pages.form(
        request,
        link,
        definition,
        values,
        notice="restored",
        account=account,
        organization=organization,
    )


@router.post("/s/{code}/sign-out", include_in_schema=False)
async def sign_out(
    link: PersonalLink, request: Request, settings: SettingsDep, api: Api
) -> Response:
    """Forget the session in this browser and revoke its token on every service (a copy of
    the cookie is worth nothing after it); back to the link (its sign-in page). Should the
    api service not answer, the browser forgets the session all the same."""
    pairs = await read_fields(request)
    if pairs is None or not csrf_valid(request, settings, first(pairs, CSRF_FIELD)):
        return pages.message(request, 403, "stale")
    if (name := repeated(pairs)) is not None:
        return pages.message(request, 422, "repeated", field=name)
    # The form's session and the api pages' one (a browser sends it to every port): signing
    # out here signs out there too.
    for cookie in (SESSION_COOKIE, PAGES_SESSION_COOKIE):
        if token := request.cookies.get(cookie):
            with contextlib.suppress(PeerUnavailable):  # logged by the client; expires anyway
                await api.revoke(token)
    page = RedirectResponse(f"/s/{link.code}", status_code=303, headers=NO_STORE)
    return end_pages_session(request, end_session(request, page))
