"""Who opens a personal link: the form's sign-in session and its CSRF protection.

A personal link (an invitation) is for one staff member. The form asks them to sign in; the
access token the api service issues is kept in a cookie that scripts cannot read
(`HttpOnly`), that no other site's page sends (`SameSite=Strict`), that only the form's pages
receive (`Path=/s/`) and, over https, that travels encrypted only (`Secure`). A teacher who
signed in on the api's pages (`soko_session`, which a browser sends to every port of the host)
needs no second sign-in: that session is taken as well, checked the same way, and signing out
of the form ends both.

Every POST of a personal page (sign-in, the answers, a draft, sign-out) carries a CSRF token:
an HMAC, under the service's secret, of a random value kept in a second cookie of the same
kind. Another site can neither read that cookie nor compute the token. The token does not
depend on the session, so signing in again in another tab does not spoil a form in progress.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from fastapi import Request, Response

from shared import headers
from shared.errors import AccountChanged, Unauthorized
from shared.identity import Principal, TokenChecker, decode_token
from shared.settings import Settings

SESSION_COOKIE = "soko_form_session"
CSRF_COOKIE = "soko_form_csrf"
CSRF_FIELD = "_csrf"
COOKIE_PATH = "/s/"


async def visitor(
    request: Request, settings: Settings, cookie: str = SESSION_COOKIE
) -> Principal | None:
    """The person signed in to the form (a user's valid token in the `cookie`, whose account
    the api service says still stands, as for every token), or None. PeerUnavailable when the
    api service cannot say."""
    token = request.cookies.get(cookie)
    if not token:
        return None
    try:
        principal = decode_token(settings, token)
    except Unauthorized:  # expired, forged or signed with another secret
        return None
    if principal.kind != "user":
        return None
    checker: TokenChecker | None = getattr(request.app.state, "token_checker", None)
    if checker is not None:
        try:
            await checker.ensure_current(token)
        except AccountChanged:  # demoted, moved, deactivated, new password: sign in again
            return None
    return principal


async def operator(request: Request, settings: Settings) -> Principal | None:
    """The person signed in on the api's pages (`soko_session`, `shared.headers.SESSION_COOKIE`:
    a browser sends it to every port of the host), checked as `visitor` checks the form's own
    session, or None: who keys in paper questionnaires (see paper.py)."""
    return await visitor(request, settings, headers.SESSION_COOKIE)


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _sign(settings: Settings, value: str) -> str:
    secret = settings.secret_key.get_secret_value().encode()
    return hmac.new(secret, f"form-csrf\x1f{value}".encode(), hashlib.sha256).hexdigest()


@dataclass
class Csrf:
    """The request's CSRF cookie value (a new one when it came without), and its token."""

    value: str
    new: bool
    token: str

    @classmethod
    def of(cls, request: Request, settings: Settings) -> "Csrf":
        value = request.cookies.get(CSRF_COOKIE) or ""
        new = len(value) < 32
        if new:
            value = secrets.token_urlsafe(32)
        return cls(value, new, _sign(settings, value))

    def keep(self, request: Request, response: Response) -> Response:
        """Set the cookie on a page that shows the token, if the browser does not hold it."""
        if self.new:
            response.set_cookie(
                CSRF_COOKIE,
                self.value,
                path=COOKIE_PATH,
                secure=_secure(request),
                httponly=True,
                samesite="strict",
            )
        return response


def csrf_valid(request: Request, settings: Settings, submitted: str | None) -> bool:
    """Does the posted token match the browser's CSRF cookie?"""
    value = request.cookies.get(CSRF_COOKIE) or ""
    if len(value) < 32 or not submitted:
        return False
    return hmac.compare_digest(_sign(settings, value), submitted)


def start_session(request: Request, response: Response, token: str, seconds: int) -> Response:
    """Keep the access token in the session cookie for as long as the token lasts."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=seconds,
        path=COOKIE_PATH,
        secure=_secure(request),
        httponly=True,
        samesite="strict",
    )
    return response


def end_pages_session(request: Request, response: Response) -> Response:
    """The browser drops the api pages' session cookie too (cookies are not kept per port)."""
    response.delete_cookie(
        headers.SESSION_COOKIE, path="/", secure=_secure(request), httponly=True, samesite="lax"
    )
    return response


def end_session(request: Request, response: Response) -> Response:
    """Sign out: the browser drops the session cookie."""
    response.delete_cookie(
        SESSION_COOKIE,
        path=COOKIE_PATH,
        secure=_secure(request),
        httponly=True,
        samesite="strict",
    )
    return response
