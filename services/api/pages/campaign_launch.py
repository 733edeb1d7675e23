"""HTTP: «Запустить анкетирование» on the api's pages, `/campaigns/new` (linked from the
analyst's and the administrator's home, campaigns block): the form of a campaign's launch
(launch_form.py) and its post, which is `POST /v1/campaigns` of the surveys service asked as
the visitor (their rights, never more).

- GET: the form, its defaults (the latest version, the current school year, opening today,
  anonymous, no school checked); a 403 page for anyone but an analyst or an administrator.
  The surveys service down: the form says the questionnaires cannot be listed (503).
- POST (the session's CSRF token, else a 403 page): «Выбрать все» / «Снять все» / a
  territory's «Выбрать все» (`_action`: `all`, `none`, `group:<territory id>`) show the form
  again with those boxes checked, everything else as typed (no script on the pages);
  «Запустить анкетирование» (`_action` `launch`) launches: a 303 to the home's campaigns
  block naming the campaign (`/home?launched=<id>#campaigns-title`); refused (422, 409,
  403, 404) the form again with the problem's Russian messages beside the fields they name,
  everything typed and checked kept; the surveys service down, the form again saying so
  (503), nothing lost. The form's `launch_key` is the launch's `Idempotency-Key`: the same
  form sent twice launches once.
"""

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.pages import launch_form
from services.api.pages.forms import page_form
from services.api.pages.launch_form import AUDIENCES, MAX_FIELDS, SCHOOL_FIELD, Typed
from services.api.pages.peer_reads import surveys
from services.api.pages.render import page
from services.api.pages.router import _message, _redirect
from services.api.pages.session import Visitor, sign_in_first, visitor
from shared.db import SessionDep
from shared.errors import Conflict, Forbidden, Invalid, NotFound, PeerRefused, PeerUnavailable

router = APIRouter(include_in_schema=False)
PATH = "/campaigns/new"


async def _form(
    request: Request,
    session: AsyncSession,
    person: Visitor,
    typed: Typed,
    status_code: int = 200,
    *,
    groups: list[launch_form.SchoolGroup] | None = None,
    problems: dict[str, list[str]] | None = None,
    unavailable: bool = False,
) -> Response:
    """The form with `typed` in it and `problems` beside their fields; `unavailable`: the
    launch did not reach the surveys service."""
    today = request.app.state.settings.today()
    if groups is None:
        groups = await launch_form.schools(person.access(session), today)
    try:
        choices = await launch_form.choices(surveys(request))
    except (PeerUnavailable, PeerRefused, NotFound, Forbidden):
        choices = None
        status_code = 503 if status_code < 400 else status_code
    return page(
        request,
        "campaign_launch.html",
        status_code,
        person=person,
        typed=typed,
        choices=choices,
        groups=groups,
        audiences=AUDIENCES,
        school_field=SCHOOL_FIELD,
        problems=problems or {},
        unavailable=unavailable,
        title_max=launch_form.TITLE_MAX,
    )


@router.get(PATH)
async def launch_page(request: Request, session: SessionDep) -> Response:
    """The launch form (the module's docstring); the sign-in page without a session."""
    person = await visitor(request, session)
    if person is None:
        return sign_in_first(request)
    if not launch_form.may_launch(person.principal):
        return _message(request, 403, "forbidden", person, "campaign")
    today = request.app.state.settings.today()
    return await _form(request, session, person, Typed.fresh(today))


@router.post(PATH)
async def launch(request: Request, session: SessionDep) -> Response:
    """The form posted: a selection of schools shown, or the launch (the module's
    docstring)."""
    form = await page_form(request, session, back=PATH, max_fields=MAX_FIELDS)
    if isinstance(form, Response):
        return form
    person, fields = form.person, form.fields
    if not launch_form.may_launch(person.principal):
        return _message(request, 403, "forbidden", person, "campaign")
    today = request.app.state.settings.today()
    groups = await launch_form.schools(person.access(session), today)
    offered = {s.id: s.name for g in groups for s in g.schools}
    typed = Typed.posted(fields, set(offered))
    action = fields.get("_action", "launch")
    if action != "launch":
        _select(typed, groups, action)
        return await _form(request, session, person, typed, groups=groups)
    sent, own = launch_form.body(typed)
    try:
        campaign = await surveys(request).launch(sent, typed.key)
    except Invalid as exc:
        found = launch_form.problems_of(exc.errors, exc.detail, offered)
        problems = launch_form.merged(own, found)
        return await _form(request, session, person, typed, 422, groups=groups, problems=problems)
    except (Conflict, Forbidden, NotFound) as exc:
        status = {Conflict: 409, Forbidden: 403, NotFound: 404}[type(exc)]
        said = exc.detail
        if isinstance(exc, Conflict):  # the key was used for another launch: a new one
            typed.key = launch_form.new_key()
            said = launch_form.SENT_BEFORE
        problems = launch_form.merged(own, {"form": [said]})
        return await _form(
            request, session, person, typed, status, groups=groups, problems=problems
        )
    except (PeerUnavailable, PeerRefused):
        return await _form(request, session, person, typed, 503, groups=groups, unavailable=True)
    return _redirect(f"/home?launched={campaign.id}#campaigns-title")


def _select(typed: Typed, groups: list[launch_form.SchoolGroup], action: str) -> None:
    """Check every school (`all`), none (`none`) or a territory's too (`group:<id>`)."""
    if action == "none":
        typed.schools = set()
    elif action == "all":
        typed.schools = {s.id for g in groups for s in g.schools}
    else:
        wanted = action.removeprefix("group:")
        for group in groups:
            if str(group.id) == wanted:
                typed.schools |= {s.id for s in group.schools}
