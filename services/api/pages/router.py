"""HTTP: the api's pages for people in a browser (outside the /v1 API and its OpenAPI document).

`GET /` is where a person starts: the sign-in page, or (signed in) a redirect to their home.
`POST /sign-in` checks the password with the API's own sign-in (`auth.service.sign_in`: the
same throttling per account and per address) and keeps the token in the session cookie
(session.py); `POST /sign-out` revokes it as `POST /v1/auth/revoke` does. `GET /home` is the
home of the visitor's role (homes.py). `POST /activities/{id}/done`, `…/reopen`,
`POST /recommendations/{id}/status` and `POST /collections/{id}/{action}` (data_collections.py)
are its buttons, done as the API (the activity, the collection's approval) or the reports
service (the recommendation, asked as the visitor) would do them. Every POST carries the
form's CSRF token (403 page without it).
Every answer is a Russian page or a redirect (303), never problem+json, and never cached.
"""

import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.access import Access
from services.api.auth.service import revoke, sign_in
from services.api.pages import (
    data_collections,
    home_state,
    homes,
    launch_form,
    peer_reads,
    service,
    values,
)
from services.api.pages.forms import checked_form, page_form
from services.api.pages.render import (
    HERE,
    NO_STORE,
    RECOMMENDATION_NAMES,
    RECOMMENDATION_STATUSES,
    page,
)
from services.api.pages.session import (
    CSRF_FIELD,
    Visitor,
    end_session,
    keep_sign_in_value,
    repeated_field,
    sign_in_csrf,
    sign_in_first,
    sign_in_posted,
    start_session,
    visitor,
)
from shared.context import client_address_var
from shared.db import SessionDep
from shared.errors import Conflict, Forbidden, Invalid, NotFound, PeerRefused, PeerUnavailable
from shared.identity import Role, ScopeType
from shared.settings import Settings

STATIC_PATH = "/pages/static"
router = APIRouter(include_in_schema=False)
router.include_router(values.router)  # /values, /decisions
router.include_router(data_collections.router)  # /collections/{id}/{action}
static_files = StaticFiles(directory=HERE / "static")

# Sign-in problems: status code of the page again.
PROBLEMS = {"csrf": 403, "missing": 422, "repeated": 422, "wrong": 401, "throttled": 429}


def _redirect(to: str) -> RedirectResponse:
    return RedirectResponse(to, status_code=303, headers=NO_STORE)


def _next_address(settings: Settings, asked: str | None) -> str | None:
    """Where to go once signed in (`next`, as the reports' and surveys' «Войдите» pages send
    it): one of our own pages — a path of this service, or an address at one of the three
    services' public URLs; anything else (another site, `//host`, a scheme of its own) None,
    so that the sign-in page never sends anyone away from Soko."""
    if not asked or len(asked) > 2000 or "\\" in asked or any(c < " " for c in asked):
        return None
    if asked.startswith("/") and not asked.startswith("//"):
        return asked
    for name in ("api", "surveys", "reports"):
        base = settings.peer_url(name)
        if asked == base or asked.startswith(base + "/") or asked.startswith(base + "?"):
            return asked
    return None


def _sign_in_page(
    request: Request,
    problem: str | None = None,
    email: str = "",
    retry_after: int | None = None,
    next_address: str | None = None,
    repeated: str = "",
    lost: bool = False,
) -> Response:
    """The sign-in page (with the problem of a failed attempt; `repeated`: the field a
    "repeated" post sent twice; `lost`: a form was posted after the session ended), and its
    CSRF cookie."""
    token, new_value = sign_in_csrf(request)
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    answer = page(
        request,
        "sign_in.html",
        PROBLEMS.get(problem or "", 200),
        headers,
        csrf=token,
        problem=problem,
        email=email,
        retry_after=retry_after,
        next_address=next_address,
        repeated=repeated,
        lost=lost,
    )
    return keep_sign_in_value(request, answer, new_value)


@router.get("/")
async def entry(request: Request, session: SessionDep) -> Response:
    """The sign-in page; signed in, a redirect to the home (or to `next`, one of our own
    pages the visitor was sent from to sign in: `_next_address`)."""
    then = _next_address(request.app.state.settings, request.query_params.get("next"))
    if await visitor(request, session) is not None:
        return _redirect(then or "/home")
    lost = request.query_params.get("lost") == "1"
    return _sign_in_page(request, next_address=then, lost=lost)


@router.get("/sign-in")
@router.get("/sign-out")
async def typed_in(request: Request) -> Response:
    """An address typed in or bookmarked (`/sign-in`, `/sign-out`): the entry page (`next`
    kept), never a 405. A GET changes nothing: signing out takes the page's button."""
    then = _next_address(request.app.state.settings, request.query_params.get("next"))
    return _redirect("/" if then is None else f"/?{urlencode({'next': then})}")


@router.post("/sign-in")
async def sign_in_page(request: Request, session: SessionDep) -> Response:
    """Email and password, as `POST /v1/auth/token` takes them (the same throttling): the
    home with a session, or the page again saying what went wrong (401 wrong, 429 throttled
    with `Retry-After`, 422 empty fields or one sent twice, 403 a form not from this browser's
    page). The sign-in form has its own CSRF value (no session yet): not `forms.page_form`."""
    form = await request.form(max_files=0, max_fields=20)
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    email = fields.get("username", "").strip()[:320]
    password = fields.get("password", "")
    settings: Settings = request.app.state.settings
    then = _next_address(settings, fields.get("next"))
    if not sign_in_posted(request, fields.get(CSRF_FIELD)):
        return _sign_in_page(request, "csrf", email, next_address=then)
    if (name := repeated_field(form)) is not None:
        return _sign_in_page(request, "repeated", email, next_address=then, repeated=name)
    if not email or not password:
        return _sign_in_page(request, "missing", email, next_address=then)
    try:
        outcome = await sign_in(session, settings, email, password, client_address_var.get())
    except Invalid:  # a character no address holds
        return _sign_in_page(request, "wrong", email, next_address=then)
    # Returned, not raised: the failed attempt must be committed to count towards throttling.
    if outcome.retry_after is not None:
        return _sign_in_page(request, "throttled", email, outcome.retry_after, then)
    if outcome.token is None:
        return _sign_in_page(request, "wrong", email, next_address=then)
    seconds = settings.access_token_minutes * 60
    return start_session(request, _redirect(then or "/home"), outcome.token, seconds)


@router.post("/sign-out")
async def sign_out(request: Request, session: SessionDep) -> Response:
    """Revoke the session's token (refused by every service from now on) and drop the cookie;
    back to the sign-in page. A post without the session's CSRF token is refused (403)."""
    person = await visitor(request, session)
    if person is not None:
        if isinstance(form := await checked_form(request, person), Response):
            return form
        await revoke(session, request.app.state.settings, person.token)
    return end_session(request, _redirect("/"))


@router.get("/home")
async def home(request: Request, session: SessionDep) -> Response:
    """The home of the visitor's role (homes.py); without a session, the sign-in page. A
    `?done=1` (an activity marked done), `?moved=<status>` (a recommendation moved),
    `?collection=<action>` (a collection's data submitted, withdrawn, approved, returned) or
    `?launched=<campaign id>` (a campaign launched from `/campaigns/new`, named as the
    surveys service gives it to the visitor) says so. A `?period=` that does not parse (or,
    on the methodologist's, is no school year): the 422 page «Период не распознан», as on the
    values and decisions pages."""
    person = await visitor(request, session)
    if person is None:
        return sign_in_first(request)
    role = person.principal.role
    if problem := homes.period_problem(request.query_params.get("period"), role):
        return page(request, "refused.html", 422, person=person, kind="period", detail=problem)
    context = await homes.context(request, session, person)
    notice = "done" if request.query_params.get("done") else None
    if request.query_params.get("reopened"):
        notice = "reopened"
    if request.query_params.get("rebuilt"):
        notice = "rebuilt"
    moved = request.query_params.get("moved")
    if moved in RECOMMENDATION_STATUSES:
        notice, context["moved"] = "moved", moved
    if (step := request.query_params.get("collection")) in data_collections.ACTIONS:
        notice = f"collection_{step}"
    if launch_form.may_launch(person.principal) and (
        launched := await launch_form.launched(request)
    ):
        notice, context["launched"] = "launched", launched
        context["launch_warnings"] = launch_form.warnings_of(launched)
    return page(request, homes.HOMES[role], person=person, notice=notice, **context)


@router.post("/activities/{activity_id}/done")
async def mark_done(activity_id: uuid.UUID, request: Request, session: SessionDep) -> Response:
    """The "Отметить выполненным" button: `PATCH /v1/activities/{id}` with `status: done`,
    with the API's rights (the leader of a responsible school, the owner's analysts; a 403
    page for others, 404 for an activity they cannot read); back to the home."""
    return await _activity_button(request, session, activity_id, service.mark_done, "done")


@router.post("/activities/{activity_id}/reopen")
async def reopen(activity_id: uuid.UUID, request: Request, session: SessionDep) -> Response:
    """The "Вернуть в работу" button of a done activity: `PATCH /v1/activities/{id}` with
    `status: in_progress`, with the API's rights (as for marking it done: 403 page, 404 for an
    activity the visitor cannot read; 409 page when it is not done). Back to the home
    (`?reopened=1`), or to the page it was posted from (`_landing`)."""
    return await _activity_button(request, session, activity_id, service.reopen, "reopened")


async def _activity_button(
    request: Request,
    session: AsyncSession,
    activity_id: uuid.UUID,
    change: Callable[[Access, uuid.UUID, date], Awaitable[Any]],
    notice: str,
) -> Response:
    """An activity's button posted: with the session's CSRF token (else a 403 page), `change`
    done as the visitor with the API's rights (403 page for no right, 404 for an activity
    they cannot read, 409 for one not in the state the button is for); then a redirect to
    the page it was posted from, saying `notice` (`_landing`). Without a session (expired),
    the sign-in page, and after it that same page (nothing done: the person presses again)."""
    form = await page_form(
        request, session, back=lambda f: _landing(f.get("back", ""), activity_id)
    )
    if isinstance(form, Response):
        return form
    person, fields = form.person, form.fields
    settings: Settings = request.app.state.settings
    try:
        await change(person.access(session), activity_id, settings.today())
    except NotFound:
        return _message(request, 404, "not_found", person)
    except Forbidden:
        return _message(request, 403, "forbidden", person)
    except Conflict:
        return _message(request, 409, "conflict", person)
    return _redirect(_landing(fields.get("back", ""), activity_id, notice))


def _landing(back: str, activity_id: uuid.UUID, notice: str | None = None) -> str:
    """Where an activity's button leads (`?<notice>=1`, none without `notice`): the `back`
    field of its form names the evidence page (`evidence`) or a roadmap's activities page
    (`roadmap:<id>`); the home otherwise, where the visitor was on it (`back`: its state,
    home_state.py). Always a path of ours, whatever `back` says."""
    query = f"?{notice}=1" if notice else ""
    if back == "evidence":
        return f"/activities/{activity_id}/evidence{query}"
    if back.startswith("roadmap:"):
        try:
            roadmap_id = uuid.UUID(back.removeprefix("roadmap:"))
        except ValueError:
            return f"/home{query}"
        changed = f"&changed={activity_id}" if notice else ""  # its card says the notice
        return f"/roadmaps/{roadmap_id}/activities{query}{changed}#activity-{activity_id}"
    if notice is None:  # the page to sign in back to: the home as it was
        return home_state.home([], back, "")
    return home_state.home([(notice, "1")], back, "#activities-title")


@router.post("/recommendations/{recommendation_id}/status")
async def move_recommendation(
    recommendation_id: uuid.UUID, request: Request, session: SessionDep
) -> Response:
    """A recommendation's lifecycle button (`status`: accepted, in_progress, done, rejected,
    new; `from_status`: the status the page showed, refused if no longer the current one):
    `PATCH /v1/recommendations/{id}` of the reports service as the visitor, with its
    rights (its addressee, the managers of its scope) and transitions; a Russian page for a
    refusal (403), one not readable (404), a move the lifecycle does not allow (409), the
    reports service down (503). Back to the home, which names the new status, on the page
    of recommendations the form was on (its `back` field); without a session, to that page
    after signing in."""
    form = await page_form(request, session, back=_recommendations_page)
    if isinstance(form, Response):
        return form
    person, fields = form.person, form.fields
    status, shown = fields.get("status", ""), fields.get("from_status") or None
    if status not in RECOMMENDATION_STATUSES or shown not in (None, *RECOMMENDATION_STATUSES):
        return _message(request, 409, "conflict", person, "recommendation")
    try:
        await peer_reads.reports(request).change_status(recommendation_id, status, shown)
    except NotFound:
        return _message(request, 404, "not_found", person, "recommendation")
    except Forbidden:
        return _message(request, 403, "forbidden", person, "recommendation")
    except Conflict as exc:
        # Moved by someone else since the page was shown: say to what, change nothing.
        current = exc.extra.get("current_status")
        moved = RECOMMENDATION_NAMES.get(current) if isinstance(current, str) else None
        return page(
            request,
            "message.html",
            409,
            person=person,
            kind="conflict",
            subject="recommendation",
            detail=moved,
        )
    except (PeerUnavailable, PeerRefused):
        return _message(request, 503, "unavailable", person, "recommendation")
    back = fields.get("back", "")
    return _redirect(home_state.home([("moved", status)], back, "#recommendations-title"))


def _recommendations_page(fields: dict[str, str]) -> str:
    """The home's page of recommendations a move form was on (its `back` field, cleaned)."""
    return home_state.home([], fields.get("back", ""), "#recommendations-title")


@router.post("/pd-order/rebuild")
async def rebuild_pd_order(request: Request, session: SessionDep) -> Response:
    """The methodologist's «Пересобрать заказ» button (fields: the CSRF token, `period`, a
    school year): `GET /v1/pd-order?rebuild=true` of the reports service as the visitor, which
    rebuilds the routes of their territory from the diagnostics (a 403 page for other roles or
    a visitor without a territory, 422 for a period that is no school year, 503 when the
    reports service is down). Back to the home of
    that year, which says so."""
    form = await page_form(request, session)
    if isinstance(form, Response):
        return form
    person, fields = form.person, form.fields
    principal = person.principal
    period = homes.school_year(fields.get("period"))
    if (
        principal.role != Role.methodologist
        or principal.scope_type != ScopeType.territory
        or principal.scope_id is None
    ):
        return _message(request, 403, "forbidden", person, "pd_order")
    if period is None:  # a broken post: the home's form sends the year it shows
        problem = homes.period_problem(fields.get("period") or "?", principal.role)
        return page(request, "refused.html", 422, person=person, kind="period", detail=problem)
    try:
        await peer_reads.reports(request).pd_order(principal.scope_id, period, rebuild=True)
    except (PeerUnavailable, PeerRefused):
        return _message(request, 503, "unavailable", person, "pd_order")
    back = fields.get("back", "")
    return _redirect(home_state.home([("rebuilt", "1")], back, "#order-title", period=period))


def _message(
    request: Request, status_code: int, kind: str, person: Visitor, subject: str = "activity"
) -> Response:
    return page(request, "message.html", status_code, person=person, kind=kind, subject=subject)
