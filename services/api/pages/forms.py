"""The one reader of a form posted to the api's pages (every POST but the sign-in form's).

`page_form(request, session, back=…, max_files=…, max_fields=…)` gives the visitor and their
form (`PageForm`), or the answer to send instead, nothing changed:

- no session (never signed in, expired, signed out meanwhile): the sign-in page with `next=`
  the page the form was on (`back`, the home by default), as `session.sign_in_first` does for
  a page asked without a session;
- a form without this session's CSRF token (another site's, an old page's): a 403 page
  «Страница устарела»;
- a field sent more than once (a forged or broken post: every field of our forms holds one
  value): a 422 page naming the field, «Форма заполнена неверно».

Past `max_fields` text fields, or more than one file beyond `max_files`, the form is not read
at all (a 422 problem: the body could not be read). One file more than `max_files` is read so
that a file field sent twice is named like any other (the 422 page); a handler takes its
files by name (`PageForm.file`), never one it does not expect.
"""

from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData, UploadFile

from services.api.pages.render import page
from services.api.pages.session import (
    CSRF_FIELD,
    Visitor,
    repeated_field,
    sign_in_first,
    visitor,
)


@dataclass(frozen=True)
class PageForm:
    """A form posted from a page of the visitor's session, each field once."""

    person: Visitor
    form: FormData

    @property
    def fields(self) -> dict[str, str]:
        """The text fields by name (files left out)."""
        return {k: v for k, v in self.form.items() if isinstance(v, str)}

    def file(self, name: str) -> UploadFile | None:
        """The file sent as `name` with a file name; None when none was chosen."""
        sent = self.form.get(name)
        return sent if isinstance(sent, UploadFile) and sent.filename else None


async def checked_form(
    request: Request, person: Visitor, *, max_files: int = 0, max_fields: int = 20
) -> FormData | Response:
    """The visitor's posted form, or the 403 page of one without their session's CSRF token,
    the 422 page of one sending a field twice (`detail`: its name)."""
    form = await request.form(max_files=max_files + 1 if max_files else 0, max_fields=max_fields)
    token = form.get(CSRF_FIELD)
    if not person.posted_by(request.app.state.settings, token if isinstance(token, str) else None):
        return page(request, "message.html", 403, person=person, kind="stale", subject="")
    if (name := repeated_field(form)) is not None:
        said = {"kind": "repeated", "subject": "", "detail": name}
        return page(request, "message.html", 422, person=person, **said)
    return form


async def page_form(
    request: Request,
    session: AsyncSession,
    *,
    back: str = "/home",
    max_files: int = 0,
    max_fields: int = 20,
) -> PageForm | Response:
    """The visitor and the form they posted (see the module's docstring); else the sign-in
    page leading back to `back` (a path of ours), or the 403 or 422 page."""
    person = await visitor(request, session)
    if person is None:
        return sign_in_first(request, back)
    form = await checked_form(request, person, max_files=max_files, max_fields=max_fields)
    if isinstance(form, Response):
        return form
    return PageForm(person, form)
