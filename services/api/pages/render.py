"""The pages' Jinja templates: Russian, autoescaped, never cached by a browser or a proxy."""

from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from fastapi import Request
from fastapi.responses import Response

from services.api.pages.session import CSRF_FIELD, Visitor
from shared.labels import (
    ACTIVITY_STATUS_LABELS,
    APPROVAL_STATUS_LABELS,
    RECOMMENDATION_STATUS_LABELS,
    ROLE_LABELS,
)
from shared.templating import page_templates, ru_date, ru_moment
from shared.value_labels import (
    STATUS_LABELS,
    STATUS_MARKS,
    change_text,
    flag_legend,
    flag_note,
    score_share,
    target_text,
    value_text,
)

HERE = Path(__file__).parent
# Pages show a person's own data: no browser or proxy keeps them.
NO_STORE = {"Cache-Control": "no-store"}
ROLE_NAMES = ROLE_LABELS
STATUS_NAMES = ACTIVITY_STATUS_LABELS
RECOMMENDATION_NAMES = RECOMMENDATION_STATUS_LABELS
RECOMMENDATION_STATUSES = frozenset(RECOMMENDATION_NAMES)
# The buttons offered in each status: the target status and its label.
_TAKE, _DONE = ("in_progress", "Взять в работу"), ("done", "Выполнена")
_REJECT = ("rejected", "Отклонить")
RECOMMENDATION_MOVES = {
    "new": [("accepted", "Принять"), _TAKE, _REJECT],
    "accepted": [_TAKE, _DONE, _REJECT],
    "in_progress": [_DONE, _REJECT],
    "done": [("in_progress", "Вернуть в работу")],
    "rejected": [("new", "Вернуть к рассмотрению")],
}
INVITATION_NAMES = {
    "not_started": "не начата",
    "draft": "черновик сохранён",
    "submitted": "ответы отправлены",
}
CAMPAIGN_NAMES = {"scheduled": "запланирована", "open": "идёт", "closed": "завершена"}
AUDIENCE_NAMES = {
    "parents": "родители",
    "teachers": "педагоги",
    "leaders": "руководители",
    "students": "обучающиеся",
}
# Why the PD order is withheld (reports `PdOrderRead.reason`).
ORDER_REASONS = {
    "minimum": "диагностику прошли меньше педагогов, чем порог раскрытия",
    "difference": "состав территории изменился после запуска диагностики",
    "campaign_open": "диагностика этого учебного года ещё идёт",
    "built_while_open": "план-заказ собран до закрытия диагностики и ждёт новой сборки",
    "surveys_unavailable": "не удалось проверить, закрыта ли диагностика; обновите страницу позже",
}
# Who keys in paper questionnaires of their schools' anonymous campaigns (the surveys service's
# `manages` decides; these homes offer the link).
PAPER_OPERATORS = frozenset({"admin", "territory_analyst", "organization_leader"})
POSITION_NAMES = {
    "teacher": "педагог",
    "leader": "руководитель",
    "deputy": "заместитель руководителя",
    "methodologist": "методист",
    "psychologist": "педагог-психолог",
}


templates = page_templates(HERE / "templates")
templates.env.globals.update(
    csrf_field=CSRF_FIELD,
    role_names=ROLE_NAMES,
    status_names=STATUS_NAMES,
    position_names=POSITION_NAMES,
    recommendation_names=RECOMMENDATION_NAMES,
    approval_names=APPROVAL_STATUS_LABELS,
    recommendation_moves=RECOMMENDATION_MOVES,
    invitation_names=INVITATION_NAMES,
    campaign_names=CAMPAIGN_NAMES,
    audience_names=AUDIENCE_NAMES,
    order_reasons=ORDER_REASONS,
    paper_operators=PAPER_OPERATORS,
    value_text=value_text,
    score_share=score_share,
    target_text=target_text,
    change_text=change_text,
    value_status_names=STATUS_LABELS,
    value_status_marks=STATUS_MARKS,
    flag_note=flag_note,
    flag_legend=flag_legend,
)


@jinja2.pass_context
def local_date(context: jinja2.runtime.Context, value: Any) -> str:
    """`ru_date` in the pages' time zone (the `timezone` setting, as the campaign sheets
    date their window): a campaign's end, a file's upload, a PD order's build."""
    settings = context["request"].app.state.settings
    return ru_date(value, ZoneInfo(settings.timezone))


@jinja2.pass_context
def local_moment(context: jinja2.runtime.Context, value: Any) -> str:
    """A moment as «31.12.2026 14:05 МСК» in the pages' time zone (a PD order's build,
    `shared.templating.ru_moment`); «—» for none."""
    settings = context["request"].app.state.settings
    return ru_moment(value, ZoneInfo(settings.timezone))


@jinja2.pass_context
def last_day(context: jinja2.runtime.Context, value: Any) -> str:
    """The last day a window ending at the moment `value` is open, in the pages' time zone:
    «до 19.12.2026» for a campaign closing at 20.12.2026 00:00 (a `closes_at` sent as a date),
    on which day the link already refuses answers; the day itself for any other moment."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        settings = context["request"].app.state.settings
        local = value.astimezone(ZoneInfo(settings.timezone))
        if local.time() == time(0, 0):
            return ru_date(local.date() - timedelta(days=1))
    return local_date(context, value)


templates.env.filters["ru_date"] = local_date
templates.env.filters["ru_last_day"] = last_day
templates.env.filters["ru_moment"] = local_moment


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
