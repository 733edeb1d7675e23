"""`Idempotency-Key` on every POST of the three services that writes, in one place (README
"Architecture").

`key_writes(router)` (called by `shared.app.build_app` for each router of a service) makes each
of the router's POST routes honour the header, except those that handle it themselves (a
parameter `idempotency_key`: bulk imports, survey answers), those that write nothing a retry
could repeat (`EXEMPT`, each with its reason) and the browser pages (not in the API schema;
their forms carry one-time tokens). With the header:

- the first request with a key runs; its answer (status and JSON body) is stored in the same
  transaction as its write (`shared.idempotency`), per caller (a user, an API key, a service;
  "anonymous:-" without one): another caller's key never replays it (an anonymous caller's
  key is bound to its request: `shared.idempotency.bound_key`);
- the same key again with the same request (method, path, query, body; the fields and files
  of a form, not its multipart boundary) gets that answer, marked `Idempotent-Replayed: true`,
  and changes nothing; a secret shown once (`SECRETS`: a new API key) is not kept, and is
  null in the replay;
- the same key with another request is 409 naming `Idempotency-Key`;
- a request with the key while the first one runs waits for it (on the key's row) and then
  replays its answer; if the first one failed (4xx/5xx raised: nothing stored), it runs afresh.

How: the route's endpoint is wrapped so that the key is claimed after every dependency ran
(the caller is known, the body read and valid) and before the endpoint writes; the route's
handler stores the serialized answer before the request's session commits.
"""

import functools
import hashlib
import inspect
import json
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request, Response, UploadFile
from fastapi.routing import APIRoute
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import SessionDep
from shared.errors import problem_response
from shared.headers import IDEMPOTENCY_KEY_HEADER
from shared.idempotency import (
    bound_key,
    claim_or_replay,
    owner_of,
    request_digest,
    store_answer,
)
from shared.identity import principal_var

# POST routes (as their router writes them, without /v1) that take no key, and why.
EXEMPT: dict[str, str] = {
    "/auth/token": "signing in issues a new token each time; nothing to repeat",
    "/auth/revoke": "revoking a revoked token changes nothing",
    "/auth/introspect": "a question about a token; writes nothing",
    "/organizations/lookup": "a read with a long body; writes nothing",
    "/data-values/query": "a read with a long body; writes nothing",
    "/audit-events": "the services' audit outbox: each event carries its own id",
}

# Fields of a POST route's answer that are secrets shown once (by the route's path, as its
# router writes it): never kept with the answer; a replay gives them as null. A client whose
# first answer was lost learns the record was made (its id, to revoke) but not the secret.
SECRETS: dict[str, tuple[str, ...]] = {
    "/organizations/{organization_id}/api-keys": ("key",),
}

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias=IDEMPOTENCY_KEY_HEADER,
        max_length=200,
        description="Any string of the client's (a UUID): a retry with the same key and "
        "request gets the first answer and changes nothing; another request with it is 409.",
    ),
]

# The request being handled by a keyed route (set by its handler, read by its endpoint).
_request_var: ContextVar[Request | None] = ContextVar("keyed_request", default=None)


@dataclass
class _Pending:
    session: AsyncSession
    key: str
    owner: str | None = None  # set once the key is claimed: the answer is to be stored


class _Replayed(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


async def _take_key(
    request: Request, session: SessionDep, idempotency_key: IdempotencyKeyHeader = None
) -> None:
    """The route's dependency: documents the header; notes the key and the request's session."""
    if idempotency_key:
        request.state.idempotency = _Pending(session, idempotency_key)


async def _request_bytes(request: Request) -> bytes:
    """What a key is bound to besides method, path and query: the body as sent, or for a form
    its fields and files (name, SHA-256 of the content) in order of name."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        return await request.body()
    form = await request.form()
    said = []
    for name, value in sorted(form.multi_items(), key=lambda item: item[0]):
        if isinstance(value, UploadFile):
            content = await value.read()
            await value.seek(0)
            value = f"{value.filename}:{hashlib.sha256(content).hexdigest()}"
        said.append(f"{name}={value}")
    return "\n".join(said).encode()


def _keyed_endpoint(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """`endpoint` run once per key (the same signature: FastAPI reads it through `wraps`)."""

    @functools.wraps(endpoint)
    async def keyed(*args: Any, **kwargs: Any) -> Any:
        request = _request_var.get()
        pending: _Pending | None = getattr(request.state, "idempotency", None) if request else None
        if request is None or pending is None:
            return await endpoint(*args, **kwargs)
        owner = owner_of(principal_var.get())
        digest = request_digest(request, await _request_bytes(request))
        pending.key = bound_key(owner, pending.key, digest)
        table: Table = request.app.state.idempotency_keys
        replay = await claim_or_replay(pending.session, table, request, owner, pending.key, digest)
        if replay is not None:
            raise _Replayed(replay)
        pending.owner = owner
        return await endpoint(*args, **kwargs)

    return keyed


class KeyedRoute(APIRoute):
    """A POST route honouring `Idempotency-Key` (made by `key_writes`); `secrets`: the fields
    of its answer not kept for a replay (`SECRETS`)."""

    secrets: tuple[str, ...] = ()

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def keyed_handler(request: Request) -> Response:
            token = _request_var.set(request)
            try:
                response = await handler(request)
            except _Replayed as replayed:
                return replayed.response
            finally:
                _request_var.reset(token)
            pending: _Pending | None = getattr(request.state, "idempotency", None)
            if pending is not None and pending.owner is not None:
                body = bytes(getattr(response, "body", b"") or b"")
                answer = json.loads(body) if body else None
                if isinstance(answer, dict):
                    answer |= dict.fromkeys(self.secrets, None)
                table: Table = request.app.state.idempotency_keys
                await store_answer(
                    pending.session, table, pending.owner, pending.key, response.status_code, answer
                )
            return response

        return keyed_handler


KEY_CONFLICT = (
    "Conflicts with the current state, or the Idempotency-Key was used with another request"
)


def _handles_key_itself(endpoint: Callable[..., Any]) -> bool:
    return "idempotency_key" in inspect.signature(endpoint).parameters


def key_writes(router: APIRouter) -> None:
    """Make the router's POST routes honour `Idempotency-Key` (see the module); a route made
    so already (the routers are shared by every app built in a process) is left as it is."""
    for route in router.routes:
        if (
            type(route) is not APIRoute
            or "POST" not in route.methods
            or not route.include_in_schema
            or route.path in EXEMPT
            or _handles_key_itself(route.endpoint)
            or not inspect.iscoroutinefunction(route.endpoint)
        ):
            continue
        route.endpoint = _keyed_endpoint(route.endpoint)
        route.dependencies.append(Depends(_take_key))
        route.responses.setdefault(409, problem_response(KEY_CONFLICT))  # in the OpenAPI too
        route.__class__ = KeyedRoute
        route.secrets = SECRETS.get(route.path, ())
