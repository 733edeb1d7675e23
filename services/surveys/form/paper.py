"""HTTP: an operator keys in parents' paper questionnaires through the form, /s/{code}/paper.

The same form as the anonymous link's, for someone signed in on the api's pages (the
`soko_session` cookie, which the browser sends to every port of the host; checked as every
token is: signature, expiry, the account still standing) who manages the organization's
campaigns (`manages`: an administrator, or an analyst, methodologist or leader whose scope
holds it), as the JSON API admits them. Their answers are stored with the channel "paper",
outside the anonymous limit per address, and, like every anonymous answer, without anything
about the respondent or the operator (the day only). After each questionnaire the form comes
back empty, saying "Анкета № N введена" and how many were keyed in today for the organization.

Without a session: a page saying to sign in on the home page (401); someone else: a 403 page;
nothing is ever stored as "web" instead. Every post carries the form's CSRF token (the cookie
authenticates it) and the page's one-time submission token: a second click or a browser's
retry stores nothing.
"""

from dataclasses import dataclass, replace
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.surveys.campaigns.service import manages
from services.surveys.campaigns.window import status
from services.surveys.clients.api import ApiClient
from services.surveys.deps import AnonymousLink, Api, DefinitionsDep, ScopeResolverDep, SettingsDep
from services.surveys.form import pages, service, view
from services.surveys.form.pages import NO_STORE, Desk
from services.surveys.form.posted import (
    first,
    first_use,
    give_back,
    read_fields,
    repeated,
    submission_token,
)
from services.surveys.form.service import FormLink, store
from services.surveys.form.session import CSRF_FIELD, Csrf, csrf_valid, operator
from services.surveys.instruments.parsed import Definitions
from services.surveys.responses.service import keyed_in_on
from shared.db import SessionDep
from shared.errors import Conflict, Invalid, PeerUnavailable
from shared.scope import ScopeResolver
from shared.settings import Settings
from shared.validation import unstorable_errors

router = APIRouter()
ENTERED = "entered"  # the query parameter of the confirmation: the questionnaire's number
REPEATED = "repeated"  # ... of a page sent again (nothing stored)


def _number(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and len(text) < 9 else None


@dataclass(frozen=True)
class Keying:
    """What a keying-in page needs of its request: the anonymous link, the request and its
    database session, the settings, the scope resolver, the parsed instruments, the api."""

    link: FormLink
    request: Request
    session: AsyncSession
    settings: Settings
    scopes: ScopeResolver
    definitions: Definitions
    api: ApiClient

    @property
    def path(self) -> str:
        return f"/s/{self.link.code}/paper"

    async def keyed_today(self) -> int:
        link = self.link
        return await keyed_in_on(
            self.session, link.campaign.id, link.organization_id, self.settings.today()
        )

    async def desk(self) -> Desk | Response:
        """The operator's desk, or the page to answer instead: sign in first (401), not
        theirs to key in (403), the api service not answering (503)."""
        request, home = self.request, f"{self.settings.peer_url('api')}/"
        try:
            person = await operator(request, self.settings)
            if person is None:
                # Signed in, the person comes back to this page (`next`, as every «Войдите»).
                back = f"{self.settings.peer_url('surveys')}{self.path}"
                sign_in = f"{home}?{urlencode({'next': back})}"
                return pages.message(request, 401, "sign_in_first", home=sign_in)
            allowed = await manages(person, self.scopes, self.link.organization_id)
        except PeerUnavailable:
            return pages.message(request, 503, "unavailable", headers={"Retry-After": "5"})
        if not allowed:
            return pages.message(request, 403, "not_operator", home=home)
        return Desk(person.name or "", home, await self.keyed_today())

    async def form(
        self,
        desk: Desk,
        values: view.FormValues,
        *,
        status_code: int = 200,
        notice: str | None = None,
        errors: list[dict[str, Any]] | None = None,
    ) -> Response:
        """The form of the desk, with its CSRF token (and cookie) and the organization's name."""
        link = self.link
        return pages.form(
            self.request,
            link,
            await self.definitions.get(self.session, link.campaign.instrument_version_id),
            values,
            errors=errors,
            status_code=status_code,
            notice=notice,
            csrf=Csrf.of(self.request, self.settings),
            organization=await service.organization_name(self.api, link.organization_id),
            desk=desk,
        )


def keying(
    link: AnonymousLink,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    scopes: ScopeResolverDep,
    definitions: DefinitionsDep,
    api: Api,
) -> Keying:
    return Keying(link, request, session, settings, scopes, definitions, api)


KeyingDep = Annotated[Keying, Depends(keying)]


@router.get("/s/{code}/paper", include_in_schema=False)
async def paper_form(keying: KeyingDep) -> Response:
    """An empty form to key in the next paper questionnaire (after a post, with its
    confirmation and the organization's count of today)."""
    desk = await keying.desk()
    if isinstance(desk, Response):
        return desk
    if status(keying.link.campaign) != "open":
        return pages.not_open(keying.request, keying.link, keying.settings)
    query = keying.request.query_params
    desk = replace(desk, entered=_number(query.get(ENTERED)), repeated=query.get(REPEATED) == "1")
    return await keying.form(desk, {})


@router.post("/s/{code}/paper", include_in_schema=False)
async def key_in(keying: KeyingDep) -> Response:
    """One paper questionnaire: stored with the channel "paper", then back to an empty form
    (303) with its number; the form again with the errors (422), or with "the page is stale"
    without the CSRF token (403), nothing stored; a 422 page naming a field of the form's own
    sent twice (`posted.repeated`)."""
    request, session, link, settings = keying.request, keying.session, keying.link, keying.settings
    pairs = await read_fields(request)
    if pairs is None:
        return pages.message(request, 413, "too_large")
    desk = await keying.desk()
    if isinstance(desk, Response):
        return desk
    if (name := repeated(pairs)) is not None:  # which token, which button? nothing stored
        return pages.message(request, 422, "repeated", field=name)
    if status(link.campaign) != "open":
        return pages.not_open(request, link, settings)
    definition = await keying.definitions.get(session, link.campaign.instrument_version_id)
    values = view.form_values(definition, pairs)
    if not csrf_valid(request, settings, first(pairs, CSRF_FIELD)):
        return await keying.form(desk, values, status_code=403, notice="csrf")
    texts = {q: "\n".join(texts) for q, texts in values.items()}
    if unstorable := unstorable_errors(texts, ("body", "answers")):
        return await keying.form(desk, values, status_code=422, errors=unstorable)
    token = submission_token(pairs)
    if token is not None and not await first_use(session, request, token):
        # Sent already (a second click, the browser's retry): the first one stands.
        location = f"{keying.path}?{REPEATED}=1"
        return RedirectResponse(location, status_code=303, headers=NO_STORE)
    try:
        await store(
            session, link, keying.definitions, definition, values, settings.today(), channel="paper"
        )
    except (Invalid, Conflict) as exc:
        if token is not None:
            await give_back(session, token)
        if isinstance(exc, Conflict):  # closed between the check above and the submit
            return pages.not_open(request, link, settings)
        return await keying.form(desk, values, status_code=422, errors=exc.errors)
    location = f"{keying.path}?{ENTERED}={await keying.keyed_today()}#entered"
    return RedirectResponse(location, status_code=303, headers=NO_STORE)
