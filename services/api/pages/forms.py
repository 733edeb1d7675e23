"""The one reader of a form posted to the api's pages (every POST but the sign-in form's).

`page_form(request, session, back=…, max_files=…, max_fields=…)` gives the visitor and their
form (`PageForm`), or the answer to send instead, nothing changed:

- no session (never signed in, expired, signed out meanwhile): the sign-in page with `next=`
  the page the form was on (`back`, the home by default), as `session.sign_in_first` does for
  a page asked without a session;
- a form without this session's CSRF token (another site's, an old page's): a 403 page
  «Страница устарела»;
- a field sent more than once (a forged or broken post: every field of our forms holds one
  value): a 422 page naming the field, «Форма заполнена неверно»;
- a text field holding what cannot be stored (U+0000, a lone surrogate): a 422 naming the
  field, nothing changed.

Past `max_fields` text fields, or more than one file beyond `max_files`, the form is not read
at all (a 422: the body could not be read). These two 422s are raised, and the app's handlers
answer them: a browser gets the Russian page «Форма заполнена неверно» naming the problem
(shared/browser.py), an API client its problem+json. One file more than `max_files` is read
so that a file field sent twice is named like any other (the 422 page); a handler takes its
files by name (`PageForm.file`), never one it does not expect.

`back` is where the sign-in page leads once signed in again: a path of ours, or a function of
the posted fields giving one (a form whose `back` field names the page it is on: the person
lands there, not on the home). Only a path of ours is ever given: the sign-in page checks
`next` again (`router._next_address`).
"""

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException

from services.api.pages.render import page
from services.api.pages.session import (
    CSRF_FIELD,
    Visitor,
    repeated_field,
    sign_in_first,
    visitor,
)
from shared.errors import Invalid
from shared.texts import typed_text
from shared.validation import unstorable_errors

# Where the sign-in page leads back to: a path, or one computed from the posted fields.
Back = str | Callable[[dict[str, str]], str]


@dataclass(frozen=True)
class PageForm:
    """A form posted from a page of the visitor's session, each field once."""

    person: Visitor
    form: FormData

    @property
    def fields(self) -> dict[str, str]:
        """The text fields by name (files left out), line breaks as the page counted them
        (`typed_text`)."""
        return self.text_fields(self.form)

    @staticmethod
    def text_fields(form: FormData) -> dict[str, str]:
        """`fields` of any posted form."""
        return {k: typed_text(v) for k, v in form.items() if isinstance(v, str)}

    def file(self, name: str) -> UploadFile | None:
        """The file sent as `name` with a file name; None when none was chosen."""
        sent = self.form.get(name)
        return sent if isinstance(sent, UploadFile) and sent.filename else None


def refuse_unstorable(form: FormData) -> None:
    """422 (Invalid) naming each text field, or file name, holding what cannot be stored."""
    errors = []
    for name, item in form.multi_items():
        text = item.filename or "" if isinstance(item, UploadFile) else item
        errors += unstorable_errors({name: text}, ("body",))
    if errors:
        said = "; ".join(dict.fromkeys(e["msg"] for e in errors))
        raise Invalid(f"Форма не принята: {said}", errors=errors)


async def checked_form(
    request: Request, person: Visitor, *, max_files: int = 0, max_fields: int = 20
) -> FormData | Response:
    """The visitor's posted form, or the 403 page of one without their session's CSRF token,
    the 422 page of one sending a field twice (`detail`: its name). A form that cannot be read
    (Starlette's HTTPException) or holds what cannot be stored (`Invalid`) is raised: the
    app's handlers answer a browser with a Russian page, an API client with problem+json."""
    form = await _read_form(request, max_files, max_fields)
    token = form.get(CSRF_FIELD)
    if not person.posted_by(request.app.state.settings, token if isinstance(token, str) else None):
        return page(request, "message.html", 403, person=person, kind="stale", subject="")
    if (name := repeated_field(form)) is not None:
        said = {"kind": "repeated", "subject": "", "detail": name}
        return page(request, "message.html", 422, person=person, **said)
    refuse_unstorable(form)
    return form


async def _read_form(request: Request, max_files: int, max_fields: int) -> FormData:
    """The posted form within the limits (one file more than `max_files` is read, for the
    handler to refuse by name); Starlette's HTTPException when it cannot be read."""
    return await request.form(max_files=max_files + 1 if max_files else 0, max_fields=max_fields)


async def _way_back(request: Request, back: Back, max_files: int, max_fields: int) -> str:
    """The page to return to after signing in: `back`, or `back` of the posted fields (the
    home when the form cannot be read)."""
    if isinstance(back, str):
        return back
    try:
        form = await _read_form(request, max_files, max_fields)
    except HTTPException:  # not read: nothing tells the page
        return "/home"
    return back(PageForm.text_fields(form))


async def page_form(
    request: Request,
    session: AsyncSession,
    *,
    back: Back = "/home",
    max_files: int = 0,
    max_fields: int = 20,
) -> PageForm | Response:
    """The visitor and the form they posted (see the module's docstring); else the sign-in
    page leading back to `back` (a path of ours, or one from the posted fields), or the 403
    or 422 page."""
    person = await visitor(request, session)
    if person is None:
        return sign_in_first(request, await _way_back(request, back, max_files, max_fields))
    form = await checked_form(request, person, max_files=max_files, max_fields=max_fields)
    if isinstance(form, Response):
        return form
    return PageForm(person, form)
