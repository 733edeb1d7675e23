"""Request ids and the access log, as plain ASGI middleware (no per-request task overhead).

The access log names the route, not the path: `/s/{code}` rather than a school's link, so
that the log cannot tie a time to one school's anonymous form. The path itself is logged only
at DEBUG level.
"""

import logging
import re
import time
import uuid
from abc import ABC, abstractmethod

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.browser import failure_page
from shared.context import client_address_var, request_id_var, user_token_var
from shared.errors import problem
from shared.headers import REQUEST_ID_HEADER
from shared.identity import principal_var
from shared.logging import route_of

# A caller's id is kept only if it is short and plain, so that logs cannot be forged through it.
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
access_logger = logging.getLogger("soko.access")
error_logger = logging.getLogger("soko.errors")


class HttpMiddleware(ABC):
    """A plain ASGI middleware that acts on HTTP requests only: anything else (the lifespan,
    a websocket) passes through untouched. A subclass says what it does in `handle` (abstract:
    the base cannot be made)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.handle(scope, receive, send)

    @abstractmethod
    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """One HTTP request, passed on to `self.app` (or answered here)."""


class RequestIdMiddleware(HttpMiddleware):
    """Read `X-Request-ID` or make one, keep it in a context variable, echo it, log the request.

    An unexpected exception is logged here, with the id, and answered as a problem+json 500
    that carries the same id, so a user's report can be matched to the log line (a person's
    browser gets the page of `shared.browser.failure_page`, with the id, instead).
    """

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        incoming = next(
            (v.decode("latin-1") for k, v in scope["headers"] if k == b"x-request-id"), ""
        )
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        client = scope.get("client")
        tokens = (
            request_id_var.set(request_id),
            principal_var.set(None),
            user_token_var.set(None),
            client_address_var.set(client[0] if client else None),
        )
        began = time.perf_counter()
        status = 500
        started = False  # has the response begun?

        async def send_with_id(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                status, started = message["status"], True
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            error_logger.error(
                "unhandled error on %s %s", scope["method"], route_of(scope), exc_info=exc
            )
            if status != 500 or started:
                raise  # the answer is already on its way: let the server drop the connection
            page = failure_page(scope)  # a person's browser gets a page, in Russian
            answer = page or problem(
                500, detail="Внутренняя ошибка сервиса", instance=scope["path"]
            )
            await answer(scope, receive, send_with_id)
        finally:
            if scope["path"] not in ("/healthz", "/readyz"):
                route = route_of(scope)
                extra = {
                    "method": scope["method"],
                    "path": route,
                    "status": status,
                    "duration_ms": round((time.perf_counter() - began) * 1000, 1),
                }
                access_logger.info("%s %s %s", scope["method"], route, status, extra=extra)
            for var, token in zip(
                (request_id_var, principal_var, user_token_var, client_address_var),
                tokens,
                strict=True,
            ):
                var.reset(token)


# /docs and /redoc (and their assets, shared.docs) start Swagger UI and ReDoc with inline
# scripts: they get the headers but not the CSP.
_DOCS_PATHS = ("/docs", "/redoc")
_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


def content_security_policy(form_origins: tuple[str, ...] = ()) -> tuple[bytes, bytes]:
    """The CSP header; `form_origins`: the other origins a form may post to or be redirected
    to after its post, beside 'self' (Chromium checks `form-action` on the redirect too: the
    api's sign-in answers a 303 to the surveys' or reports' page it was asked from)."""
    targets = " ".join(["'self'", *form_origins])
    policy = (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        f"frame-ancestors 'none'; form-action {targets}; base-uri 'none'"
    )
    return b"content-security-policy", policy.encode()


class SecurityHeadersMiddleware(HttpMiddleware):
    """Headers that keep browsers from sniffing, framing or leaking what we serve.
    `form_origins`: the origins other than this service's that its forms lead to (the api's:
    the surveys' and reports' public URLs, where the sign-in sends a person back to `next`),
    named in `form-action`; none by default, 'self' alone."""

    def __init__(self, app: ASGIApp, form_origins: tuple[str, ...] = ()) -> None:
        super().__init__(app)
        self.csp = content_security_policy(form_origins)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        extra = list(_SECURITY_HEADERS)
        if not scope["path"].startswith(_DOCS_PATHS):
            extra.append(self.csp)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in extra:
                    if name.decode() not in headers:
                        headers.append(name.decode(), value.decode())
            await send(message)

        await self.app(scope, receive, send_with_headers)
