"""The client one Soko service uses to call another over HTTP.

It authenticates with this service's token, passes the end user's identity (`X-Soko-User`) and
the request id on, times out, and retries only what is safe to repeat: idempotent methods, or a
write that carries an `Idempotency-Key`. A peer that stays down becomes `PeerUnavailable` (503),
which callers may catch to mark their answer incomplete. A peer that refuses the passed-on user
token as `AccountChanged` makes this request's answer that same 401.
"""

import asyncio
import logging
import uuid
from collections.abc import Callable
from functools import lru_cache
from typing import Any, Generic, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from shared.context import request_id_var, user_token_var
from shared.errors import AccountChanged, Forbidden, NotFound, PeerRefused, PeerUnavailable
from shared.headers import (
    IDEMPOTENCY_KEY_HEADER,
    REQUEST_ID_HEADER,
    USER_HEADER,
)
from shared.logging import path_shape

logger = logging.getLogger("soko.client")

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRY_STATUSES = frozenset({502, 503, 504})
PAGE_SIZE = 500  # items per page when a client reads a whole list

T = TypeVar("T")


class _Page(BaseModel, Generic[T]):
    """One page of a list endpoint, as every Soko service answers it."""

    items: list[T]
    total: int


class ServiceClient:
    """Base of the typed clients (`services/<svc>/clients/<peer>.py`) for one peer service."""

    def __init__(
        self,
        name: str,
        base_url: str,
        *,
        timeout: float = 10.0,
        retries: int = 2,
        backoff: float = 0.2,
        transport: httpx.AsyncBaseTransport | None = None,
        token: Callable[[], str] | None = None,
    ) -> None:
        self.name = name
        self._token = token
        self.retries = retries
        self.backoff = backoff
        self._http = httpx.AsyncClient(
            base_url=base_url, timeout=httpx.Timeout(timeout), transport=transport
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    def _headers(self, extra: dict[str, str] | None, *, as_service: bool = False) -> dict[str, str]:
        headers: dict[str, str] = {}
        request_id = request_id_var.get()
        if request_id:
            headers[REQUEST_ID_HEADER] = request_id
        if self._token is not None:
            headers["Authorization"] = f"Bearer {self._token()}"
        user_token = user_token_var.get()
        if user_token and not as_service:
            headers[USER_HEADER] = user_token
        headers.update(extra or {})
        return headers

    async def request(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        as_service: bool = False,
        **kwargs: Any,
    ) -> httpx.Response:
        """Send one request; retry transport errors and 502/503/504 only when repeating is safe.

        `as_service`: ask as this service alone, without the user's identity (for questions
        whose answer does not depend on who asks, such as where an organization sits).
        """
        method = method.upper()
        all_headers = self._headers(headers, as_service=as_service)
        retryable = method in IDEMPOTENT_METHODS or IDEMPOTENCY_KEY_HEADER in all_headers
        attempts = 1 + (self.retries if retryable else 0)
        for attempt in range(1, attempts + 1):
            try:
                response = await self._http.request(method, path, headers=all_headers, **kwargs)
            except httpx.TransportError as exc:
                failure = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code not in RETRY_STATUSES:
                    if _account_changed(response, all_headers):
                        raise AccountChanged(headers={"WWW-Authenticate": "Bearer"})
                    return response
                failure = f"HTTP {response.status_code}"
            logger.warning(
                "call to %s failed (%s), attempt %d of %d",
                self.name,
                failure,
                attempt,
                attempts,
                extra={"peer": self.name, "path": path_shape(path)},  # no id or code
            )
            if attempt < attempts:
                await asyncio.sleep(self.backoff * 2 ** (attempt - 1))
        raise PeerUnavailable(f"Сервис {self.name} недоступен ({failure})", peer=self.name)

    async def ping(self) -> dict[str, Any]:
        """One quick `/healthz` call with no retry, for readiness checks."""
        try:
            response = await self._http.get("/healthz", timeout=2.0, headers=self._headers(None))
        except httpx.TransportError as exc:
            return {"ok": False, "error": type(exc).__name__}
        return {"ok": response.status_code == 200, "status": response.status_code}

    async def get_json(self, path: str, **kwargs: Any) -> Any:
        """GET a JSON document. Raises what `checked` raises for anything but a 2xx, and
        `PeerRefused` for a 2xx whose body is not JSON."""
        response = await self.request("GET", path, **kwargs)
        return json_of(checked(response, self.name), self.name)

    async def post_read(self, path: str, body: Any) -> Any:
        """POST a question that changes nothing (a body too long for a query, such as a lookup
        of many ids) and return its JSON answer. It carries a fresh `Idempotency-Key`, so that
        it is retried like a GET. Raises what `get_json` raises."""
        response = await self.request(
            "POST", path, json=body, headers={IDEMPOTENCY_KEY_HEADER: f"read-{uuid.uuid4().hex}"}
        )
        return json_of(checked(response, self.name), self.name)

    async def pages(
        self,
        path: str,
        params: dict[str, Any] | None = None,
        *,
        size: int = PAGE_SIZE,
        model: type[T] | None = None,
    ) -> list[Any]:
        """Every item of a paged list endpoint (`{items, total}`, `limit`/`offset`), read
        `size` at a time: the one pager of the typed clients. With `model`, each item parsed
        as one (a list of `model`). Raises what `checked` raises, and `PeerRefused` for a
        page (or an item) that does not fit (`parsed`)."""
        items: list[Any] = []
        while True:
            answer = await self.get_json(
                path, params={**(params or {}), "limit": size, "offset": len(items)}
            )
            page = parsed(_Page[model or Any], answer, self.name, path)  # type: ignore[index]
            items += page.items
            if not page.items or len(items) >= page.total:
                return items

    async def get_json_or_none(
        self, path: str, params: dict[str, str] | None = None, *, as_service: bool = False
    ) -> Any:
        """GET a JSON document, or None when the peer answers 404."""
        response = await self.request("GET", path, params=params, as_service=as_service)
        if response.status_code == 404:
            return None
        return json_of(checked(response, self.name), self.name)


@lru_cache(maxsize=256)
def _adapter(shape: Any) -> TypeAdapter[Any]:
    return TypeAdapter(shape)


def parsed(shape: type[T] | Any, data: Any, peer: str, path: str) -> T:
    """`data` (a peer's decoded JSON answer to `path`) parsed as `shape` (a pydantic model, or
    a type such as `list[Model]`). An answer that does not fit is the peer breaking the
    contract between the services: logged as an error (where and which fields, never the
    values, which may be personal data) and raised as `PeerRefused` (502), not a 500."""
    try:
        return _adapter(shape).validate_python(data)
    except ValidationError as exc:
        fields = [(".".join(map(str, e["loc"])) or "(answer)", e["type"]) for e in exc.errors()]
        raise _breach(peer, path, str(fields[:5])) from None


def _breach(peer: str, path: str, what: str) -> PeerRefused:
    """Log a peer's 2xx answer that breaks the contract (`what`: how, never its values) and
    make the `PeerRefused` (502) that says so."""
    logger.error(
        "the %s service answered %s with what the contract does not allow: %s",
        peer,
        path_shape(path),
        what,
        extra={"peer": peer, "path": path_shape(path)},
    )
    return PeerRefused(f"Сервис {peer} ответил не по договору", peer=peer, peer_status=200)


def json_of(response: httpx.Response, peer: str) -> Any:
    """The decoded JSON body of a peer's answer; `PeerRefused` (502, logged) if it is not JSON."""
    try:
        return response.json()
    except ValueError:
        raise _breach(peer, response.request.url.path, "not JSON") from None


def checked(response: httpx.Response, peer: str) -> httpx.Response:
    """The response when it is a 2xx. Otherwise tells an outage from a refusal: 5xx is
    `PeerUnavailable` (503, wait and retry); 404 is `NotFound` and 403 `Forbidden` (what the
    peer says about the user's request, passed on); any other 4xx is `PeerRefused` (502),
    logged as the contract error between the services it is."""
    status = response.status_code
    if 200 <= status < 300:
        return response
    if status >= 500:
        raise PeerUnavailable(f"Сервис {peer} недоступен (HTTP {status})", peer=peer)
    detail = _detail(response)
    if status == 404:
        raise NotFound(detail or None)
    if status == 403:
        raise Forbidden(detail or None)
    logger.error(
        "the %s service refused a call: %s %s answered %d: %s",
        peer,
        response.request.method,
        path_shape(response.request.url.path),
        status,
        detail,
    )
    raise PeerRefused(
        f"Сервис {peer} отклонил запрос (HTTP {status})", peer=peer, peer_status=status
    )


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    return str(body.get("detail", ""))[:300] if isinstance(body, dict) else str(body)[:300]


def _account_changed(response: httpx.Response, headers: dict[str, str]) -> bool:
    """The peer refused the user's token this service passed on, as changed since this service
    checked it (each service keeps its check for seconds): the user's answer is that 401 too."""
    if response.status_code != 401 or USER_HEADER not in headers:
        return False
    try:
        return response.json().get("type") == f"urn:soko:problem:{AccountChanged.slug}"
    except ValueError:
        return False


async def record_audit(
    api: ServiceClient,
    action: str,
    entity_type: str,
    entity_id: str | None,
    changes: dict[str, Any],
) -> None:
    """Record an event in the api service's audit log, as the user it is done for (the caller
    of this request); a write whose event cannot be recorded must not be kept (503)."""
    response = await api.request(
        "POST",
        "/v1/audit-events",
        json={
            "action": action,
            "entity_type": entity_type,
            "entity_id": entity_id,
            "changes": changes,
        },
    )
    if response.status_code != 201:
        raise PeerUnavailable("Не удалось записать событие в журнал аудита", peer="api")
