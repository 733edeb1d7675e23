"""What the form's pages post: the fields, read bounded, and the one-time submission token.

The form's own fields (`OWN_FIELDS`: the CSRF token, the submission token, the button, the
sign-in's address and password) hold one value each: a post sending one of them twice (forged
or broken: submit or save a draft? which address?) is refused whole (`repeated`, a 422 page
naming the field), never one value taken silently. Answers are the questions' own affair
(`view.answers_from`: checkboxes send several).

Each rendered form carries a random submission token (`SUBMISSION_FIELD`). A submission claims
it in the idempotency table (a hash of it and the day, never on the response row); a second
post of the same token stores nothing. Shared by the respondents' form (router.py) and the
operator's keying-in page (paper.py).
"""

import hashlib
from urllib.parse import parse_qsl

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from services.surveys.form.pages import SUBMISSION_FIELD
from services.surveys.form.session import CSRF_FIELD
from services.surveys.responses.models import IdempotencyKeys
from shared.idempotency import claim, release
from shared.texts import typed_text

# Room for the longest answers: every text question may hold 5000 characters, each of which
# URL-encodes to up to 6 bytes in Cyrillic.
MAX_FORM_BODY = 256 * 1024
MAX_FIELDS = 2000
# Whose submission tokens these are in the idempotency table: the form's, nobody's in person.
SUBMITTER = "form:-"
SUBMITTED = hashlib.sha256(b"form-submission").hexdigest()


async def read_fields(request: Request) -> list[tuple[str, str]] | None:
    """The posted fields (application/x-www-form-urlencoded), line breaks as typed
    (`typed_text`: a text answer the form's `maxlength` let through fits MAX_TEXT), or None
    when too many or too big."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_FORM_BODY:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BODY:
            return None
    try:
        text = body.decode("utf-8", errors="replace")
        pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except ValueError:
        return None
    return [(name, typed_text(value)) for name, value in pairs]


OWN_FIELDS = (CSRF_FIELD, SUBMISSION_FIELD, "_action", "username", "password")


def repeated(pairs: list[tuple[str, str]]) -> str | None:
    """The first of the form's own fields (`OWN_FIELDS`) the post sends more than once."""
    names = [name for name, _ in pairs if name in OWN_FIELDS]
    return next((name for name in names if names.count(name) > 1), None)


def first(pairs: list[tuple[str, str]], name: str) -> str | None:
    return next((value for key, value in pairs if key == name), None)


def submission_token(pairs: list[tuple[str, str]]) -> str | None:
    """The form's one-time submission token, if the post carries a plausible one."""
    token = first(pairs, SUBMISSION_FIELD)
    return token if token and len(token) <= 100 else None


async def first_use(session: AsyncSession, request: Request, token: str) -> bool:
    """Claim a form's submission token: False when it was used already. What it was used for
    is kept as the same hash for every form (not the link: a school is no business of it)."""
    return await claim(session, IdempotencyKeys, request, SUBMITTER, token, SUBMITTED)


async def give_back(session: AsyncSession, token: str) -> None:
    """Release a claimed submission token (the submission failed: the form may be sent again)."""
    await release(session, IdempotencyKeys, SUBMITTER, token)
