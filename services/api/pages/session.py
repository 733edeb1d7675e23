"""The browser session of the api's pages: the access token in a cookie, and CSRF tokens.

Signing in on the page (`POST /sign-in`) issues the same access token as `POST /v1/auth/token`
and keeps it in the `soko_session` cookie: `HttpOnly` (no script reads it), `SameSite=Lax`
(another site's page neither posts with it nor loads it in a frame; a link followed from
elsewhere still opens the home), `Path=/`, `Secure` over https, for as long as the token lasts.
The cookie counts only on these pages: the JSON API (`/v1/...`) takes `Authorization: Bearer`
alone, so a page of another site cannot make a browser call it with the session.

A page's cookie is turned into the caller exactly as a bearer token is (`visitor`): the
token's signature and expiry, then the account standing as the token was issued (version,
role, scope, staff link, not revoked: `account_stands`). The pages then call the same service
functions with the same `Access` as the API, so the cookie gives the rights of the token.

CSRF: every form POST carries `_csrf`, an HMAC under the service's secret of what the browser
holds and another site cannot read. Signed in, that is the session token's `jti` (one token of
one session: it changes at every sign-in and dies with sign-out). Before signing in, it is a
random value in the `soko_sign_in` cookie (so that another site cannot sign a browser in to
an account of its choosing either).
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData

from services.api.access import Access
from services.api.auth.service import account_stands
from services.api.pages.service import scope_name
from services.api.territories.scope import DbScopeResolver
from shared.context import user_token_var
from shared.errors import Unauthorized
from shared.headers import SESSION_COOKIE
from shared.identity import Principal, decode_token, principal_var
from shared.settings import Settings

SIGN_IN_COOKIE = "soko_sign_in"
CSRF_FIELD = "_csrf"
# How long the pre-session value of the sign-in form lives: a page left open a working day.
SIGN_IN_SECONDS = 12 * 3600


def csrf_token(settings: Settings, purpose: str, value: str) -> str:
    """The token a form carries for `value` (a session's `jti`, or the sign-in cookie's)."""
    secret = settings.secret_key.get_secret_value().encode()
    message = f"soko-pages\x1f{purpose}\x1f{value}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def csrf_matches(settings: Settings, purpose: str, value: str | None, posted: str | None) -> bool:
    """Does the posted token belong to `value`? False when either is missing."""
    if not value or not posted:
        return False
    return hmac.compare_digest(csrf_token(settings, purpose, value), posted)


@dataclass(frozen=True)
class Visitor:
    """A signed-in person: the principal, their session token, and the CSRF token of their
    forms."""

    principal: Principal
    token: str
    csrf: str
    scope_name: str | None = None  # their territory's, cluster's or school's

    def access(self, session: AsyncSession) -> Access:
        """The `Access` an API request with this token would get."""
        return Access(session, self.principal, DbScopeResolver(session))

    def posted_by(self, settings: Settings, posted: str | None) -> bool:
        """Was this form posted from one of this session's pages?"""
        return csrf_matches(settings, "session", self.principal.token_id, posted)


def sign_in_first(request: Request, asked: str | None = None) -> RedirectResponse:
    """A page asked without a session: the sign-in page (303), which sends the person back to
    the page asked (its path and query, as `next`) once signed in: a link to an activity's
    evidence or to a period's values, sent by mail, opens that page, not the home. A file's
    address asks for the page that lists it (`asked`): a download leaves no page to see. A
    form posted without a session (it ended while the page was open: signed out in another
    tab, expired) adds `lost=1`: the sign-in page says the step was not taken."""
    asked = asked or request.url.path + (f"?{request.url.query}" if request.url.query else "")
    query = [] if asked in ("/", "/home") else [("next", asked)]
    if request.method == "POST":
        query.append(("lost", "1"))
    to = f"/?{urlencode(query)}" if query else "/"
    return RedirectResponse(to, status_code=303, headers={"Cache-Control": "no-store"})


async def visitor(request: Request, session: AsyncSession) -> Visitor | None:
    """The person whose valid session cookie the request carries, or None: no cookie, a token
    expired, forged or not a user's, or an account changed or signed out since."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    settings: Settings = request.app.state.settings
    try:
        principal = decode_token(settings, token)
    except Unauthorized:
        return None
    if principal.kind != "user" or not await account_stands(session, principal):
        return None
    principal_var.set(principal)  # the audit log names who changed what, as for the API
    user_token_var.set(token)  # the peers (surveys, reports) are asked as this person
    csrf = csrf_token(settings, "session", principal.token_id or "")
    return Visitor(principal, token, csrf, await scope_name(session, principal))


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _cookie(request: Request, response: Response, name: str, value: str, seconds: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=seconds,
        path="/",
        secure=_secure(request),
        httponly=True,
        samesite="lax",
    )


def sign_in_csrf(request: Request) -> tuple[str, str | None]:
    """The sign-in form's CSRF value and token: the browser's, or a new value (second item)
    to set with `keep_sign_in_value`."""
    value = request.cookies.get(SIGN_IN_COOKIE) or ""
    new = None if len(value) >= 32 else secrets.token_urlsafe(32)
    return csrf_token(request.app.state.settings, "sign-in", new or value), new


def keep_sign_in_value(request: Request, response: Response, value: str | None) -> Response:
    """Set the sign-in form's CSRF cookie when the browser had none."""
    if value is not None:
        _cookie(request, response, SIGN_IN_COOKIE, value, SIGN_IN_SECONDS)
    return response


def sign_in_posted(request: Request, posted: str | None) -> bool:
    """Was the sign-in form posted from our page in this browser?"""
    settings = request.app.state.settings
    return csrf_matches(settings, "sign-in", request.cookies.get(SIGN_IN_COOKIE), posted)


def start_session(request: Request, response: Response, token: str, seconds: int) -> Response:
    """Keep the access token in the session cookie for as long as it lasts."""
    _cookie(request, response, SESSION_COOKIE, token, seconds)
    response.delete_cookie(SIGN_IN_COOKIE, path="/", secure=_secure(request), httponly=True)
    return response


def end_session(request: Request, response: Response) -> Response:
    """The browser drops the session cookie."""
    response.delete_cookie(
        SESSION_COOKIE, path="/", secure=_secure(request), httponly=True, samesite="lax"
    )
    return response


def repeated_field(form: FormData) -> str | None:
    """The first field a posted form sends more than once: every field of our pages' forms
    holds one value, so a second one (a forged or broken post) leaves the meaning unknown."""
    names = [name for name, _ in form.multi_items()]
    return next((name for name in names if names.count(name) > 1), None)
