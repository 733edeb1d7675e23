"""How an app answers every error as problem+json (`install_error_handlers`): the domain
errors of `shared/errors.py`, Starlette's HTTP errors (an unknown path, a method a route does
not take, a body it could not read), FastAPI's validation errors (each in Russian, saying where:
`items.0.value` of the body, «параметр period», a line and column of JSON that does not parse),
and anything unexpected (logged with its request id, answered 500 without a stack trace).
"""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.errors import SokoError, problem
from shared.json_messages import position
from shared.logging import route_of
from shared.templating import ru_plural
from shared.validation_messages import russian_message

logger = logging.getLogger("soko.errors")

# A body FastAPI or Starlette could not read (their 400): not UTF-8, broken multipart.
_UNREADABLE = (
    "тело запроса не читается: текст не в кодировке UTF-8, повреждённые данные формы "
    "или слишком длинное число"
)


def _unreadable(cause: BaseException | None) -> str:
    """Why FastAPI could not read a body, by the exception it answered 400 for (`cause`):
    JSON nested past Python's recursion limit, a number past its 4300 digits, text not in
    UTF-8; anything else (a broken multipart form) in the general words."""
    if isinstance(cause, RecursionError):
        return (
            "тело запроса не читается: JSON вложен слишком глубоко "
            "(списки или объекты в сотни уровней)"
        )
    if isinstance(cause, UnicodeDecodeError):
        return "тело запроса не читается: текст не в кодировке UTF-8"
    if isinstance(cause, ValueError) and "digits" in str(cause):
        return "тело запроса не читается: число длиннее 4300 цифр"
    return _UNREADABLE


def _placed(err: dict[str, Any], body: Any) -> dict[str, Any]:
    """A body FastAPI could not read as JSON (`loc` ["body", character position], the text in
    `body`) with its line and column in `ctx`, for the message to say where."""
    loc = tuple(err.get("loc", ()))
    if err.get("type") != "json_invalid" or len(loc) != 2 or not isinstance(loc[1], int):
        return err
    if not isinstance(body, str | bytes):
        return err
    line, column = position(body, loc[1])
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    at_end = bool(text.strip()) and not text[loc[1] :].strip()  # cut off, not malformed
    place = {"line": line, "column": column, "at_end": at_end}
    return err | {"ctx": {**(err.get("ctx") or {}), **place}}


# A problem lists this many of a request's errors at most: a body of 100,000 unknown keys
# made an answer of 22 MB and kept the worker busy for seconds wording each one.
MAX_ERRORS = 100


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    """FastAPI's errors as `{loc, msg, type}`: pydantic's `type` and `loc` as they are, the
    message in Russian (`russian_message`; a body that is no JSON: what is wrong, at which
    line and column); the first MAX_ERRORS, then one item counting the rest."""
    found = exc.errors()
    errors = [
        {"loc": list(err.get("loc", ())), "msg": russian_message(err), "type": err.get("type", "")}
        for err in (_placed(e, exc.body) for e in found[:MAX_ERRORS])
    ]
    if len(found) > MAX_ERRORS:
        rest = len(found) - MAX_ERRORS
        errors.append(
            {
                "loc": ["body"],
                "msg": f"и ещё {rest} {ru_plural(rest, 'ошибка', 'ошибки', 'ошибок')}: "
                "исправьте показанные и отправьте запрос снова",
                "type": "too_many_errors",
            }
        )
    return errors


def _named(error: dict[str, Any]) -> str:
    """Where an error is, for the problem's `detail`: `items.0.value` in the body, «заголовок
    Idempotency-Key», «параметр period», or the body as a whole when it is no JSON (its `loc`
    is ["body", character position], no field)."""
    if error["type"] == "json_invalid" and error["loc"][:1] == ["body"]:
        return "тело запроса (JSON) не читается"
    if list(error["loc"]) == ["body"]:  # empty, or not the object expected: the body as a whole
        return "тело запроса"
    where, *path = [str(p) for p in error["loc"]] or ["body"]
    field = ".".join(path)
    return f"{_PLACES[where]} {field}" if where in _PLACES and field else field or where


# A problem's `detail` names a field of the body by its path (`items.0.value`) and one of
# another part of the request with that part said (the `errors[].loc` keep FastAPI's words).
_PLACES = {"header": "заголовок", "query": "параметр", "path": "параметр пути", "cookie": "cookie"}


async def _soko_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SokoError)
    return problem(
        exc.status,
        slug=exc.slug,
        detail=exc.detail,
        errors=exc.errors,
        instance=request.url.path,
        headers=exc.headers,
        **exc.extra,
    )


def _literal_methods(request: Request) -> tuple[int, set[str]]:
    """The routes that serve this path with the fewest path parameters (a literal segment such
    as /organizations/lookup wins over /organizations/{organization_id}): how many parameters
    they have, and their methods together."""
    path = request.scope["path"]
    matching = [
        (route.path_format.count("{"), route.methods)
        for route in iter_route_contexts(request.app.router.routes)
        if route.methods and getattr(route, "path_regex", None) and route.path_regex.match(path)
    ]
    if not matching:
        return 0, set()
    fewest = min(count for count, _ in matching)
    return fewest, set().union(*(methods for count, methods in matching if count == fewest))


def _method_not_allowed(request: Request, methods: set[str]) -> JSONResponse:
    return problem(405, instance=request.url.path, headers={"Allow": ", ".join(sorted(methods))})


def refusal_of(exc: Exception) -> tuple[str | None, list[dict[str, Any]]]:
    """The `detail` and `errors` of the problem an exception is answered with (its 422 when it
    is a request's fault: a SokoError's own, FastAPI's validation errors in Russian, a body
    Starlette could not read); `(None, [])` for another HTTPException. Built here once, for
    the problem+json and for the browsers' pages (shared/browser.py) alike."""
    if isinstance(exc, SokoError):
        return exc.detail, list(exc.errors or [])
    if isinstance(exc, RequestValidationError):
        errors = _validation_errors(exc)
        fields = ", ".join(dict.fromkeys(_named(e) for e in errors))
        return f"Запрос содержит ошибки: {fields}", errors
    if isinstance(exc, StarletteHTTPException) and exc.status_code == 400:
        # Only FastAPI and Starlette raise HTTPException(400): a body they could not read (not
        # UTF-8, broken multipart, a number too long). Malformed like invalid JSON, which
        # FastAPI answers 422: one status for both, naming the body.
        # Their English detail is not repeated: the message says it in Russian.
        why = _unreadable(exc.__cause__)
        if isinstance(exc.detail, str) and exc.detail.startswith("Too many"):  # a form's limit
            why = "форма не прочитана: в ней больше полей или файлов, чем она принимает"
        errors = [{"loc": ["body"], "msg": why, "type": "body_unreadable"}]
        return "Тело запроса не удалось прочитать", errors
    return None, []


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else None
    if exc.status_code == 400:
        message, errors = refusal_of(exc)
        return problem(
            422, slug="validation-error", detail=message, errors=errors, instance=request.url.path
        )
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"Путь {request.url.path} не найден"
    if exc.status_code == 405:  # Starlette names the methods of one route, or none
        return _method_not_allowed(request, _literal_methods(request)[1])
    return problem(exc.status_code, detail=detail, instance=request.url.path, headers=exc.headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    detail, errors = refusal_of(exc)
    route = request.scope.get("route")
    if route is not None and any(e["loc"][:1] == ["path"] for e in errors):
        # PATCH /v1/organizations/lookup reached /organizations/{organization_id}: the path
        # names the lookup, which does not take this method.
        fewest, methods = _literal_methods(request)
        if methods and fewest < route.path_format.count("{"):
            return _method_not_allowed(request, methods)
    return problem(
        422,
        slug="validation-error",
        detail=detail,
        errors=errors,
        instance=request.url.path,
    )


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    # Reached only by errors raised outside RequestIdMiddleware, which answers the others.
    # The route's template, never the path: it may hold a personal link's code.
    route = route_of(request.scope)
    logger.error("unhandled error on %s %s", request.method, route, exc_info=exc)
    return problem(500, detail="Внутренняя ошибка сервиса", instance=request.url.path)


def install_error_handlers(app: FastAPI) -> None:
    """Render every error of this app as problem+json."""
    app.add_exception_handler(SokoError, _soko_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected_error)
