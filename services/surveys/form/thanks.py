"""The thank-you page, and what makes the browser's Back after sending show it again.

A submission redirects (303) to `/s/{code}/thanks`, so that the history holds the form's GET,
never the POST. Back then asks for the form again, and the form answers with the thank-you
page when the answers of this link went through already:

- a personal link: its response is submitted (the server knows it);
- an anonymous link: this browser holds the cookie `soko_form_sent` (`Path=/s/{code}`, for
  this link only, `HttpOnly`, `SameSite=Lax`, until the campaign closes), set with the
  redirect. It says "an answer was sent from here" and nothing else, and it stays on the
  device: the server stores nothing of it, so the response stays as anonymous as before.
  Another respondent on the same device (a second child, a paper questionnaire keyed in)
  follows the page's link `?again=1`, which drops the cookie and shows an empty form.

A second post of the same page is caught by its one-time submission token (see router.py).
"""

from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.surveys.form import pages, service
from services.surveys.form.pages import NO_STORE, Account
from services.surveys.form.service import FormLink
from services.surveys.instruments.definition import InstrumentDefinition
from services.surveys.responses.models import Response as ResponseRow

SENT_COOKIE = "soko_form_sent"
AGAIN = "again"  # the query parameter of "fill in the form once more"
MIN_SECONDS = 3600


def _path(link: FormLink) -> str:
    return f"/s/{link.code}"


def sent_here(request: Request) -> bool:
    """Whether this browser sent answers through this (anonymous) link: its cookie is sent
    for the link's own path only."""
    return request.cookies.get(SENT_COOKIE) == "1"


def wants_again(request: Request) -> bool:
    return request.query_params.get(AGAIN) == "1"


def to_thanks(request: Request, link: FormLink) -> Response:
    """The redirect (303) after a submission; for an anonymous link it marks this browser as
    having sent (the cookie above), until the campaign closes (an hour at least)."""
    response = RedirectResponse(f"{_path(link)}/thanks", status_code=303, headers=NO_STORE)
    if not link.personal:
        left = (link.campaign.closes_at - datetime.now(UTC)).total_seconds()
        response.set_cookie(
            SENT_COOKIE,
            "1",
            max_age=max(MIN_SECONDS, int(left)),
            path=_path(link),
            secure=request.url.scheme == "https",
            httponly=True,
            samesite="lax",
        )
    return response


def start_again(request: Request, link: FormLink) -> Response:
    """Forget that this browser sent answers through the link: back to an empty form."""
    response = RedirectResponse(_path(link), status_code=303, headers=NO_STORE)
    response.delete_cookie(
        SENT_COOKIE,
        path=_path(link),
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="lax",
    )
    return response


def _page(request: Request, link: FormLink, organization: str | None, **extra: Any) -> Response:
    return pages.page(
        request,
        "thanks.html",
        title=link.campaign.title,
        organization=organization,
        code=link.code,
        **extra,
    )


def anonymous(request: Request, link: FormLink, organization: str | None) -> Response:
    """The thank-you page of an anonymous link, with the way to fill the form in once more."""
    again = f"{_path(link)}?{AGAIN}=1"
    return _page(request, link, organization, again=again, profile=[], earlier=None)


async def personal(
    request: Request,
    session: AsyncSession,
    link: FormLink,
    definition: InstrumentDefinition,
    response: ResponseRow,
    account: Account,
    organization: str | None,
) -> Response:
    """The thank-you page of a submitted personal response, with a diagnostic's profile; opened
    again on a later day, it is the teacher's results page («Ваши ответы», sent on that day),
    not a thank-you for something done weeks ago."""
    results = (
        await service.profile(session, definition, response) if definition.kind == "deficit" else []
    )
    today = request.app.state.settings.today()
    earlier = (
        response.submitted_on if response.submitted_on and response.submitted_on < today else None
    )
    return _page(
        request, link, organization, again=None, profile=results, account=account, earlier=earlier
    )
