"""Request ids and the access log, as plain ASGI middleware (no per-request task overhead)."""

import logging
import re
import time
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.errors import problem
from shared.logging import request_id_var

REQUEST_ID_HEADER = "X-Request-ID"
# A caller's id is kept only if it is short and plain, so that logs cannot be forged through it.
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
access_logger = logging.getLogger("soko.access")
error_logger = logging.getLogger("soko.errors")


class RequestIdMiddleware:
    """Read `X-Request-ID` or make one, keep it in a context variable, echo it, log the request.

    An unexpected exception is logged here, with the id, and answered as a problem+json 500
    that carries the same id, so a user's report can be matched to the log line.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = next(
            (v.decode("latin-1") for k, v in scope["headers"] if k == b"x-request-id"), ""
        )
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500
        started = False

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
                "unhandled error on %s %s", scope["method"], scope["path"], exc_info=exc
            )
            if status != 500 or started:
                raise  # the answer is already on its way: let the server drop the connection
            await problem(500, detail="Внутренняя ошибка сервиса", instance=scope["path"])(
                scope, receive, send_with_id
            )
        finally:
            if scope["path"] not in ("/healthz", "/readyz"):
                access_logger.info(
                    "%s %s %s",
                    scope["method"],
                    scope["path"],
                    status,
                    extra={
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    },
                )
            request_id_var.reset(token)
