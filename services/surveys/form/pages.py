"""The form's pages: Jinja templates in Russian, never cached, one per outcome.

A page with a POST form of a personal link (sign-in, the answers, sign-out) carries the CSRF
token and sets the CSRF cookie when the browser does not hold it yet.
"""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from markupsafe import Markup

from services.surveys.campaigns.window import window as campaign_window
from services.surveys.form import view
from services.surveys.form.service import FormLink
from services.surveys.form.session import CSRF_FIELD, Csrf
from services.surveys.instruments.definition import InstrumentDefinition
from services.surveys.instruments.question_types import UNSURE
from services.surveys.responses import scoring
from shared.settings import Settings
from shared.templating import page_templates

HERE = Path(__file__).parent
# Pages may show drafts and personal results: no browser or proxy keeps them.
NO_STORE = {"Cache-Control": "no-store"}
# Answers a sign-in page carries over (when a session ended while the form was being filled),
# as hidden fields named "a:<question code>", so that they are not lost.
CARRIED = "a:"
# Every rendered form carries a new random token of one submission (see router.submit_form).
SUBMISSION_FIELD = "_submission"
# The id of the draft's confirmation: a saved draft redirects to the form with this fragment.
DRAFT_SAVED = "draft-saved"

templates = page_templates(HERE / "templates")
templates.env.filters["num"] = lambda x: f"{x:g}".replace(".", ",")
# «вопросы 1, 2 и 3»: scoring's words around each question's reference (markup kept, text
# escaped by `format`).
templates.env.filters["questions_named"] = lambda named: Markup(  # noqa: S704 only our words
    scoring.questions_named(["{}"] * len(named))
).format(*named)
templates.env.globals["csrf_field"] = CSRF_FIELD
templates.env.globals["submission_field"] = SUBMISSION_FIELD
templates.env.globals["unsure"] = UNSURE
templates.env.globals["draft_saved"] = DRAFT_SAVED


@dataclass(frozen=True)
class Account:
    """Who is signed in to a personal link's page, and the CSRF state of its forms (sign-out
    from the link `code` too)."""

    name: str
    csrf: Csrf
    code: str
    home: str | None = None  # their home on the api's pages


@dataclass(frozen=True)
class Desk:
    """The operator's keying-in mode of an anonymous link's form (see paper.py): who is signed
    in, their home on the api's pages, how many answers were keyed in for the organization
    today, and what the last post did (`entered`: the number of the questionnaire stored;
    `repeated`: a page sent again, stored nothing)."""

    name: str
    home: str
    today: int = 0
    entered: int | None = None
    repeated: bool = False


def page(
    request: Request,
    name: str,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    csrf: Csrf | None = None,
    **context: Any,
) -> Response:
    """A page of the template `name`; with `csrf` (by default the signed-in account's), its
    token is in the context as `csrf` and its cookie set when the browser has none."""
    account: Account | None = context.setdefault("account", None)
    csrf = csrf or (account.csrf if account else None)
    if csrf is not None:
        context["csrf"] = csrf.token
    response = templates.TemplateResponse(
        request, name, context, status_code=status_code, headers=NO_STORE | (headers or {})
    )
    return csrf.keep(request, response) if csrf is not None else response


def message(
    request: Request,
    status_code: int,
    kind: str,
    headers: dict[str, str] | None = None,
    csrf: Csrf | None = None,
    **extra: Any,
) -> Response:
    return page(request, "message.html", status_code, headers, csrf, kind=kind, **extra)


def not_open(request: Request, link: FormLink, settings: Settings, **extra: Any) -> Response:
    window = campaign_window(link.campaign, settings.timezone)
    return message(
        request,
        409,
        "not_open",
        title=link.campaign.title,
        window=window,
        **extra,
    )


def form(
    request: Request,
    link: FormLink,
    definition: InstrumentDefinition,
    values: view.FormValues,
    *,
    errors: list[dict[str, Any]] | None = None,
    status_code: int = 200,
    notice: str | None = None,
    csrf: Csrf | None = None,
    account: Account | None = None,
    organization: str | None = None,
    desk: Desk | None = None,
) -> Response:
    """The form with these values (and the errors of a failed check next to their questions),
    with a new one-time submission token: random, the same for nobody and nothing else.
    `organization`: the name of the link's organization, shown above the campaign's title;
    `desk`: an operator keys in paper questionnaires (posted to /s/{code}/paper)."""
    return page(
        request,
        "form.html",
        status_code,
        csrf=csrf,
        code=link.code,
        title=link.campaign.title,
        organization=organization,
        description=definition.description,
        kind=definition.kind,
        personal=link.personal,
        form=view.build(definition, values, errors),
        show_progress=bool(values or errors),
        notice=notice,
        account=account,
        desk=desk,
        submission=secrets.token_urlsafe(24),
    )


def sign_in(
    request: Request,
    link: FormLink,
    csrf: Csrf,
    *,
    status_code: int = 200,
    problem: str | None = None,
    carried: Sequence[tuple[str, str]] = (),
    email: str = "",
    retry_after: int | None = None,
) -> Response:
    """The sign-in page of a personal link; `carried` answers travel on as hidden fields."""
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return page(
        request,
        "sign_in.html",
        status_code,
        headers,
        csrf,
        code=link.code,
        title=link.campaign.title,
        problem=problem,
        carried=[(CARRIED + name, value) for name, value in carried],
        email=email,
        retry_after=retry_after,
    )
