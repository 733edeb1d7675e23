"""Domain errors and their single rendering as problem+json (RFC 9457).

Services raise the exceptions below; `problem` builds the one answer they all become. The
handlers installed by ``install_error_handlers`` (shared/error_handlers.py) turn them,
validation errors, unknown routes and anything unexpected into ``application/problem+json``.
No stack trace ever reaches a client: an unexpected error is logged with its request id and
answered with a 500 that carries the same id.
"""

from collections.abc import Sequence
from http import HTTPStatus
from typing import Any, Self

from fastapi.responses import JSONResponse

from shared.context import request_id_var

PROBLEM_JSON = "application/problem+json"
# The body of every error, as OpenAPI documents it (components/schemas/Problem of each service).
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "request_id": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["loc", "msg"],
                "properties": {
                    "loc": {"type": "array", "items": {"type": ["string", "integer"]}},
                    "msg": {"type": "string"},
                    "type": {"type": "string"},
                },
            },
        },
    },
}
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


class SokoError(Exception):
    """Base of the errors a service raises on purpose; carries its HTTP status."""

    status: int = 400
    slug: str = "bad-request"
    detail: str = "Некорректный запрос"  # what a person reads in the answer (Russian)
    # What the OpenAPI document says of the answer, for the developers reading it (English).
    documented: str = "Bad request"

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: Sequence[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        self.detail = detail or self.detail
        self.errors = list(errors) if errors else None
        self.headers = headers
        self.extra = extra
        super().__init__(self.detail)

    @classmethod
    def at(
        cls,
        field: str | Sequence[str | int],
        message: str,
        *,
        where: str = "body",
        detail: str | None = None,
        kind: str | None = None,
        **extra: Any,
    ) -> Self:
        """The error for one field: `Invalid.at("period", "…", where="query")` names
        `loc: ["query", "period"]`; a path (`["rows", 3, "value"]`) is taken as it is.
        `where`: body | query | path | header | form. The message (Russian) is also the detail
        unless `detail` says more; `kind` is the error's `type`; `extra` goes into the body.
        Any error class has it (`NotFound.at`, `Conflict.at`), most often `Invalid`."""
        error = field_error(field, message, where=where, kind=kind)
        return cls(detail or message, errors=[error], **extra)


def field_error(
    field: str | Sequence[str | int], message: str, *, where: str = "body", kind: str | None = None
) -> dict[str, Any]:
    """One item of a problem's `errors`: `{"loc": [where, *field], "msg": message}`, with
    `type` when `kind` is given (for error classes whose constructor builds its own list)."""
    path = [field] if isinstance(field, str) else list(field)
    error: dict[str, Any] = {"loc": [where, *path], "msg": message}
    if kind is not None:
        error["type"] = kind
    return error


class NotFound(SokoError):
    status, slug, detail = 404, "not-found", "Не найдено"
    documented = "Not found (or outside the caller's scope)"


class Unauthorized(SokoError):
    status, slug, detail = 401, "unauthorized", "Требуется вход в систему"
    documented = "Not signed in, or the token is invalid, expired or revoked"


class AccountChanged(Unauthorized):
    """A user's token that no longer stands: revoked (signed out), issued before a change of
    the account (role, scope, staff link, activity, password), or whose account is gone: the
    user signs in again. Peers pass it on as it is. The detail names every cause: a service
    asks the api only whether the token stands (`introspect`), not why."""

    slug = "account-changed"
    detail = (
        "Вход больше не действует (выполнен выход, учётная запись изменена или отключена): "
        "войдите снова"
    )


class Forbidden(SokoError):
    status, slug, detail = 403, "forbidden", "Недостаточно прав"
    documented = "The caller's role or scope does not allow this"


class Conflict(SokoError):
    status, slug, detail = 409, "conflict", "Конфликт с текущим состоянием"
    documented = "Conflicts with the current state"


class Invalid(SokoError):
    """A well-formed request that breaks a rule about one of its fields (422, names the field)."""

    status, slug, detail = 422, "validation-error", "Запрос содержит ошибки"
    documented = "The request breaks a rule (`errors` names the fields)"


class TooManyRequests(SokoError):
    status, slug, detail = 429, "too-many-requests", "Слишком много запросов, повторите позже"
    documented = "Too many requests; see Retry-After"


class PeerUnavailable(SokoError):
    """Another Soko service did not answer in time or answered with a server error."""

    status, slug, detail = 503, "peer-unavailable", "Связанный сервис недоступен"
    documented = "A peer service is unavailable; see Retry-After"

    def __init__(self, detail: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"Retry-After": "5"})
        super().__init__(detail, **kwargs)


class PeerRefused(SokoError):
    """Another Soko service refused a call this one made (a 4xx other than 401/403/404): a
    contract error between the services, a bug to fix, not an outage to wait out."""

    status, slug, detail = 502, "peer-refused", "Связанный сервис отклонил запрос"
    documented = "A peer service refused the call this one made"


# A problem's `title` (RFC 9457: a short summary of its kind, the same for every problem of a
# status) as people read it; the `detail` says what happened this time.
TITLES: dict[int, str] = {
    400: "Неверный запрос",
    401: "Нужно войти",
    403: "Доступ запрещён",
    404: "Не найдено",
    405: "Метод не поддерживается",
    406: "Формат ответа не поддерживается",
    409: "Конфликт с сохранёнными данными",
    410: "Больше недоступно",
    412: "Условие запроса не выполнено",
    413: "Слишком большой запрос",
    415: "Формат не поддерживается",
    422: "Ошибка в данных запроса",
    428: "Нужно условие запроса",
    429: "Слишком много запросов",
    500: "Внутренняя ошибка",
    502: "Смежный сервис ответил ошибкой",
    503: "Сервис временно недоступен",
    504: "Смежный сервис не ответил вовремя",
}


def problem(
    status: int,
    *,
    slug: str | None = None,
    title: str | None = None,
    detail: str | None = None,
    errors: Sequence[dict[str, Any]] | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """Build one problem+json response."""
    phrase = TITLES.get(status) or (
        HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Ошибка"
    )
    body: dict[str, Any] = {
        "type": f"urn:soko:problem:{slug}" if slug else "about:blank",
        "title": title or phrase,
        "status": status,
        "detail": detail or phrase,
    }
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = list(errors)
    request_id = request_id_var.get()
    if request_id:
        body["request_id"] = request_id
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def problem_response(description: str) -> dict[str, Any]:
    """One `responses=` entry: a problem+json answer (OpenAPI), `description` in English."""
    return {"description": description, "content": {PROBLEM_JSON: {"schema": PROBLEM_REF}}}


def error_responses(*errors: type[SokoError]) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entry of a route for the domain errors it may raise (for OpenAPI)."""
    return {err.status: problem_response(err.documented) for err in errors}
