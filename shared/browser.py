"""What the reports and surveys services answer a person's browser rather than an API client.

A GET whose `Accept` names `text/html` (what a browser sends when a person opens a link) and
that fails with 401, 404 or 422 gets a small Russian page: «Войдите» linking the api's sign-in
page (`Settings.api_url`, with `next` back to the asked address), «Не найдено» or «Адрес
страницы неверен» (a link cut short, a period typed that is none: the problem's Russian
messages) linking the api's home. Every other request (`Accept: application/json`, `*/*`,
none, or any other write) keeps its problem+json answer. A browser's form post to a page
(`Accept` naming text/html, a route left out of the OpenAPI document: the api's pages, the
surveys form) refused with a 422 that its handler did not answer itself (a U+0000 caught on its
way to the database, a form past its field limit) gets the page «Форма заполнена неверно»
listing what is wrong, never the problem+json as raw text. The api answers a browser's 404 and
422 the same way (not its 401s). The bare `/` of the reports and surveys services redirects
(303) to the api's home, where a person starts.
"""

import html
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.context import request_id_var
from shared.error_handlers import refusal_of
from shared.errors import SokoError
from shared.settings import Settings

Handler = Callable[[Request, Exception], Awaitable[Response]]
NO_STORE = {"Cache-Control": "no-store"}

PAGE = """<!DOCTYPE html>
<html lang="ru">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{title}</title>
<style>
  body {{ font-family: Arial, "Liberation Sans", sans-serif; font-size: 12pt; color: #1a1a1a;
         margin: 0 auto; padding: 16px; max-width: 40em; line-height: 1.4; }}
  h1 {{ font-size: 18pt; color: #1f4e79; }}
  a {{ color: #1f4e79; }}
  a:focus {{ outline: 3px solid #1f4e79; outline-offset: 2px; }}
</style>
</head>
<body>
<main>
<h1>{title}</h1>
<p>{text}</p>{more}
<p><a href="{href}">{link}</a></p>
</main>
</body>
</html>
"""


def _takes_html(request: Request) -> bool:
    """`Accept` names text/html with a weight above zero."""
    for item in request.headers.get("accept", "").split(","):
        media, *params = (part.strip() for part in item.split(";"))
        if media.lower() == "text/html":
            return not any(p.replace(" ", "") in ("q=0", "q=0.0", "q=0.00") for p in params)
    return False


def wants_page(request: Request) -> bool:
    """A browser's GET (or HEAD) of a page: `Accept` names text/html with a weight above zero."""
    return request.method in ("GET", "HEAD") and _takes_html(request)


def posts_a_page_form(request: Request) -> bool:
    """A browser's form post to a page: a write to a route the OpenAPI document leaves out
    (the pages, not the JSON API) with `Accept` naming text/html."""
    route = request.scope.get("route")
    page_route = route is not None and getattr(route, "include_in_schema", True) is False
    return request.method not in ("GET", "HEAD") and page_route and _takes_html(request)


def _api_home(request: Request) -> str:
    settings: Settings = request.app.state.settings
    return str(settings.api_url).rstrip("/") + "/"


def _own_address(request: Request, service_url: str) -> str:
    """The asked address at the service's public URL (what a person bookmarked)."""
    query = f"?{request.url.query}" if request.url.query else ""
    return service_url.rstrip("/") + request.url.path + query


# Where in the address (or the posted form) an error is, as a problem's `detail` names it
# (shared/error_handlers.py).
_PLACES = {"query": "параметр", "path": "параметр пути", "body": "поле"}


def _messages(exc: Exception) -> list[str]:
    """The Russian messages of the 422 problem `exc` is answered with (`refusal_of`): each
    error's `msg` with the parameter it is about («параметр format: значение «pdf» не
    подходит…»), else its `detail`."""
    detail, errors = refusal_of(exc)
    said = []
    for error in errors:
        if not isinstance(error, dict) or "msg" not in error:
            continue
        where, *field = [str(p) for p in error.get("loc") or []] or [""]
        named = f"{_PLACES[where]} {'.'.join(field)}: " if where in _PLACES and field else ""
        said.append(f"{named}{error['msg']}")
    return said or ([str(detail)] if detail else [])


def page(
    request: Request,
    status: int,
    service_url: str,
    messages: list[str] | None = None,
    *,
    posted: bool = False,
) -> HTMLResponse:
    """The page of a 401 (sign in, then back here), of a 404 or of a 422 (`messages`: what is
    wrong with the address, or with the form when `posted`, in Russian; to the api's home)."""
    home = _api_home(request)
    more = ""
    if status == 422 and posted:
        title, link, href = "Форма заполнена неверно", "На главную", home
        text = "Форма не принята, ничего не изменено: вернитесь назад, исправьте и отправьте снова."
        items = "".join(f"<li>{html.escape(m)}</li>" for m in messages or [])
        more = f"\n<ul>{items}</ul>" if items else ""
    elif status == 401:
        back = quote(_own_address(request, service_url), safe="")
        title, link, href = "Войдите", "Войти", f"{home}?next={back}"
        text = "Чтобы открыть эту страницу, войдите в Soko под своей учётной записью."
    elif status == 422:
        title, link, href = "Адрес страницы неверен", "На главную", home
        text = "Страницу по такому адресу открыть нельзя: проверьте ссылку."
        items = "".join(f"<li>{html.escape(m)}</li>" for m in messages or [])
        more = f"\n<ul>{items}</ul>" if items else ""
    else:
        title, link, href = "Не найдено", "На главную", home
        text = "Такой страницы нет, или она вам недоступна."
    body = PAGE.format(title=title, text=text, more=more, href=html.escape(href), link=link)
    return HTMLResponse(body, status_code=status, headers=NO_STORE)


def failure_page(scope: dict) -> HTMLResponse | None:
    """The page of a 500 for a browser (`Accept` naming text/html, a GET of a page or a form
    post), None for anyone else (the problem+json stays theirs): «Что-то пошло не так», the
    request's id to tell the administrator, a way to the api's home. Never the problem+json
    shown as raw text, in English browser chrome, with no way back."""
    request = Request(scope)
    if not _takes_html(request) or "app" not in scope:
        return None
    said = html.escape(request_id_var.get() or "—")
    body = PAGE.format(
        title="Что-то пошло не так",
        text="Страницу не удалось показать из-за ошибки на сервере; ничего из отправленного "
        "не потеряно, если страница не сказала иного. Попробуйте ещё раз чуть позже.",
        more=f"\n<p>Если ошибка повторится, сообщите администратору номер запроса: "
        f"<code>{said}</code>.</p>",
        href=html.escape(_api_home(request)),
        link="На главную",
    )
    return HTMLResponse(body, status_code=500, headers=NO_STORE)


def _status(exc: Exception) -> int | None:
    if isinstance(exc, RequestValidationError):
        return 422
    if isinstance(exc, SokoError):
        return exc.status
    if isinstance(exc, StarletteHTTPException):
        return exc.status_code
    return None


def answer_browsers_with_pages(
    app: FastAPI,
    service_url: Callable[[Settings], str],
    statuses: tuple[int, ...] = (401, 404, 422),
) -> None:
    """Wrap the app's problem+json handlers of SokoError, HTTPException and request
    validation: a browser's 401, 404 or 422 (those of `statuses`) gets `page` (a 422's with
    the messages of the problem), a browser's form post to a page refused with a 422 the page
    «Форма заполнена неверно», anything else the original answer. `service_url`:
    this service's public URL from the settings (for the sign-in's way back). The api passes
    404 and 422 only: its JSON API never takes the session cookie, so «Войдите» would lead
    back to the same 401."""
    for kind in (SokoError, StarletteHTTPException, RequestValidationError):
        original: Handler = app.exception_handlers[kind]

        async def handler(request: Request, exc: Exception, original: Handler = original):
            status = _status(exc)
            if status == 400 and isinstance(exc, StarletteHTTPException):
                status = (
                    422  # a body that could not be read: answered 422 (shared/error_handlers.py)
                )
            settings: Settings = request.app.state.settings
            if status in statuses and wants_page(request):
                messages = _messages(exc) if status == 422 else None
                return page(request, status, service_url(settings), messages)
            if status == 422 and posts_a_page_form(request):
                return page(request, 422, service_url(settings), _messages(exc), posted=True)
            return await original(request, exc)

        app.add_exception_handler(kind, handler)


home_router = APIRouter(include_in_schema=False)


@home_router.get("/")
async def to_the_api_home(request: Request) -> RedirectResponse:
    """The bare `/`: a person starts at the api's home (sign-in, then their role's home)."""
    return RedirectResponse(_api_home(request), status_code=303, headers=NO_STORE)
