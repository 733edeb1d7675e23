"""The pages' Jinja templates: Russian, autoescaped, never cached by a browser or a proxy."""

from datetime import date
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from services.api.pages.session import CSRF_FIELD, Visitor

HERE = Path(__file__).parent
# Pages show a person's own data: no browser or proxy keeps them.
NO_STORE = {"Cache-Control": "no-store"}
ROLE_NAMES = {
    "admin": "администратор",
    "territory_analyst": "аналитик территории",
    "methodologist": "методист",
    "organization_leader": "руководитель организации",
    "teacher": "педагог",
    "viewer": "наблюдатель",
}
STATUS_NAMES = {
    "planned": "запланировано",
    "in_progress": "выполняется",
    "done": "выполнено",
    "cancelled": "отменено",
}
POSITION_NAMES = {
    "teacher": "педагог",
    "leader": "руководитель",
    "deputy": "заместитель руководителя",
    "methodologist": "методист",
    "psychologist": "педагог-психолог",
}


def _day(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else "—"


templates = Jinja2Templates(
    env=jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
)
templates.env.filters["day"] = _day
templates.env.globals.update(
    csrf_field=CSRF_FIELD,
    role_names=ROLE_NAMES,
    status_names=STATUS_NAMES,
    position_names=POSITION_NAMES,
)


def page(
    request: Request,
    name: str,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    *,
    csrf: str | None = None,
    person: Visitor | None = None,
    **context: Any,
) -> Response:
    """The template `name` with `context`; signed in (`person`), its layout names the person
    and carries their forms' CSRF token, else `csrf` (the sign-in form's)."""
    context |= {"person": person, "csrf": person.csrf if person else csrf}
    return templates.TemplateResponse(
        request, name, context, status_code=status_code, headers=NO_STORE | (headers or {})
    )
