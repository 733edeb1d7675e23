"""The HTTP side of uploads: the request body bounded as it streams in, the file read within
its limit, and parsing in a worker thread so the event loop keeps answering."""

from __future__ import annotations

import functools
import html
from collections.abc import Callable
from dataclasses import replace
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

import anyio.to_thread
from anyio import CapacityLimiter
from fastapi import Depends, Request, UploadFile
from fastapi.responses import HTMLResponse
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.browser import PAGE
from shared.errors import problem
from shared.middleware import HttpMiddleware
from shared.settings import MIB
from shared.uploads.limits import Upload, UploadLimits, UploadTooLarge

FORM_OVERHEAD = MIB
"""What a request body may hold beyond the file: the multipart framing and the other fields."""

T = TypeVar("T")


BODY_LIMIT = "soko.body_limit"
"""The scope key of the request's `BodyLimit`."""


class BodyLimit:
    """The bytes a request's body may hold, as it is read: a JSON body's smaller limit until
    its route says it takes bulk rows (`bulk`)."""

    def __init__(self, json_bytes: int | None, upload_bytes: int) -> None:
        self.json = json_bytes is not None
        self.bytes = json_bytes if json_bytes is not None else upload_bytes
        self.setting: str | None = "SOKO_JSON_MAX_BYTES"  # what a JSON body's limit is set by
        self._upload_bytes = upload_bytes

    def bulk(self) -> None:
        """The route takes bulk rows: the body is held to the upload limit instead."""
        self.json, self.bytes = False, self._upload_bytes

    def hold(self, max_bytes: int) -> None:
        """The route holds its body, of whatever type, to its own smaller limit `max_bytes`
        (set in code, not by a setting), read no further: `shared.json_body.held_to`."""
        if max_bytes < self.bytes:
            self.json, self.bytes, self.setting = True, max_bytes, None


class _BodyTooLarge(Exception):
    """Raised into the app from `receive` once the body passed the limit."""


class BodyLimitMiddleware(HttpMiddleware):
    """Refuse a request body larger than the upload limit (plus FORM_OVERHEAD) with a 413
    problem+json: at once when Content-Length says so, else as soon as the streamed bytes
    pass it; the rest of the body is never read. A page's form posted by a browser (a path
    outside `/v1/`, `Accept` naming text/html) gets a Russian page saying so instead.

    A JSON body (`application/json`, `…+json`, or of no type) is held to `max_json_bytes`
    (SOKO_JSON_MAX_BYTES, 4 MiB) unless its route takes bulk rows (`shared.json_body.
    FastJsonRoute` raises it, `BodyLimit.bulk`: 10,000 rows are about 1.3 MB). Before,
    15 MB of one object's keys, sent by nobody signed in, was parsed and validated on the
    event loop (8 s) before the sign-in was looked at, and the service answered nothing else
    meanwhile.

    Starlette's own RequestBodyLimitMiddleware answers in plain text from outside the app's
    middleware (no problem+json, no request id), hence this one."""

    def __init__(
        self, app: ASGIApp, max_file_bytes: int, max_json_bytes: int | None = None
    ) -> None:
        super().__init__(app)
        self.max_file_bytes = max_file_bytes
        self.max_body_bytes = max_file_bytes + FORM_OVERHEAD
        self.max_json_bytes = max_json_bytes

    def _json(self, scope: Scope) -> bool:
        """Is the body JSON (or of no type, which FastAPI reads as JSON) with a JSON limit set."""
        if self.max_json_bytes is None:
            return False
        kind = Headers(scope=scope).get("content-type", "").split(";")[0].strip().lower()
        return not kind or kind == "application/json" or kind.endswith("+json")

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        declared = Headers(scope=scope).get("content-length", "")
        size = int(declared) if declared.isdigit() else None
        if size is not None and size > self.max_body_bytes:
            await self._refuse(scope, receive, send)
            return
        # The limit the body is held to as it is read: a bulk route raises it (`bulk`) before
        # it reads the body, which FastAPI does after routing and before any dependency.
        limit = BodyLimit(self.max_json_bytes if self._json(scope) else None, self.max_body_bytes)
        scope[BODY_LIMIT] = limit
        received = 0
        exceeded = answered = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            if size is not None and size > limit.bytes:
                exceeded = True
                raise _BodyTooLarge
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit.bytes:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal answered
            if not exceeded:
                await send(message)
            elif message["type"] == "http.response.start" and not answered:
                # the app turned the interruption into an answer of its own (FastAPI: 400)
                answered = True
                await self._refuse(scope, receive, send, limit)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not exceeded:
                raise
            if not answered:
                await self._refuse(scope, receive, send, limit)

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, limit: BodyLimit | None = None
    ) -> None:
        headers = Headers(scope=scope)
        form = headers.get("content-type", "").startswith("multipart/form-data")
        if limit is not None and limit.json:
            error = UploadTooLarge(limit.bytes, body=limit.bytes, form=False, setting=limit.setting)
        else:
            error = UploadTooLarge(self.max_file_bytes, body=self.max_body_bytes, form=form)
        if _from_a_page(scope["path"], headers):
            await _too_large_page(error, headers)(scope, receive, send)
            return
        response = problem(
            error.status,
            slug=error.slug,
            detail=error.detail,
            errors=error.errors,
            instance=scope["path"],
            headers={"Connection": "close"},
            **error.extra,
        )
        await response(scope, receive, send)


def _from_a_page(path: str, headers: Headers) -> bool:
    """A form of a page posted by a browser (not the JSON API: `/v1/…`), which reads HTML."""
    accepted = (item.split(";")[0].strip().lower() for item in headers.get("accept", "").split(","))
    return not path.startswith("/v1/") and "text/html" in accepted


def _too_large_page(error: UploadTooLarge, headers: Headers) -> HTMLResponse:
    """The Russian page of a page's form whose file passed the limit (413), linking back to the
    page it was posted from (the path of its `Referer`, never another site) or the start."""
    back = urlsplit(headers.get("referer", "")).path
    back = back if back.startswith("/") and not back.startswith("//") else "/"
    text = f"{error.plain} Ничего не сохранено: вернитесь к форме и выберите файл поменьше."
    body = PAGE.format(
        title="Слишком большой файл",
        text=html.escape(text),
        more="",
        href=html.escape(back),
        link="Вернуться к форме",
    )
    no_store = {"Cache-Control": "no-store", "Connection": "close"}
    return HTMLResponse(body, status_code=error.status, headers=no_store)


def upload_limits(request: Request) -> UploadLimits:
    """The app's upload limits, with its parsing threads (a dependency)."""
    limits = UploadLimits.from_settings(request.app.state.settings)
    return replace(limits, parsing=request.app.state.upload_parsing)


UploadLimitsDep = Annotated[UploadLimits, Depends(upload_limits)]


async def read_upload(file: UploadFile, limits: UploadLimits) -> Upload:
    """The uploaded file, read whole; UploadTooLarge (413) past `max_bytes`, having read no
    more than one byte beyond it."""
    content = await file.read(limits.max_bytes + 1)
    if len(content) > limits.max_bytes:
        raise UploadTooLarge(limits.max_bytes)
    return Upload(file.filename or "", content, limits)


async def parse_upload(
    limits: UploadLimits, parse: Callable[..., T], /, *args: Any, **kwargs: Any
) -> T:
    """`parse(*args, **kwargs)` in a worker thread, at most `limits.parsers` at once in this
    app (its `limits.parsing`; outside a request, in this call), so that the event loop (health
    checks, other requests) keeps answering while a file is read. What `parse` raises is
    raised here."""
    call = functools.partial(parse, *args, **kwargs)
    limiter = limits.parsing or CapacityLimiter(limits.parsers)
    return await anyio.to_thread.run_sync(call, limiter=limiter)
