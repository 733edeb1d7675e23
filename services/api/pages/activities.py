"""HTTP: an activity's evidence on the api's pages, `/activities/{id}/evidence`.

The page shows what the roadmap asks for as proof, the links and files attached, and (to
whoever may change the activity: the leader of a responsible school, the roadmap owner's
analysts, an administrator) a form to attach a link (address and title) and/or a file. It
calls the API's own service functions with the visitor's `Access` (`tracking.update_activity`
for the links, as `PATCH /v1/activities/{id}` with `evidence`; `tracking.add_file` as
`POST /v1/activities/{id}/files`, within the upload limits), so the rights are the API's: a
403 page for a reader who may not change it, 404 for an activity they cannot read. Files
download through the page with the session (`GET /v1/activities/{id}/files/{file_id}`'s rule).
Every POST carries the session's CSRF token (403 page without it); nothing changes otherwise.
"""

import uuid
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.pages.forms import page_form
from services.api.pages.render import page
from services.api.pages.router import _message, _redirect
from services.api.pages.session import Visitor, sign_in_first, visitor
from services.api.roadmaps import tracking
from services.api.roadmaps.models import Roadmap
from services.api.roadmaps.schemas import ActivityUpdate, EvidenceLink
from shared import etag
from shared.db import SessionDep
from shared.errors import Forbidden, Invalid, NotFound
from shared.numbers import file_size
from shared.settings import Settings
from shared.uploads import UploadTooLarge, read_upload, upload_limits

router = APIRouter(include_in_schema=False)
# What the last post attached (the notice of the page it lands on).
ADDED = {
    "link": "Ссылка добавлена.",
    "file": "Файл приложен.",
    "both": "Ссылка и файл приложены.",
    # A file sent with a title but no address: the file is attached, the title (a link's) is
    # shown again in the form, not lost, for the link it may have been meant for.
    "file_not_title": "Файл приложен. Название в форме осталось несохранённым: это название "
    "ссылки — укажите её адрес, если хотели приложить и ссылку.",
    "removed_link": "Ссылка убрана.",
    "removed_file": "Файл удалён.",
    "gone": "Этого материала уже нет: его убрали раньше.",
}
MAX_LINKS = 50  # as ActivityUpdate.evidence allows
MAX_URL = 2083  # as EvidenceLink.url (pydantic's HttpUrl) allows
# Why a post attached nothing (the `problem` codes of the page it is sent back to).
PROBLEMS = {
    "no_url": "Укажите адрес ссылки.",
    "bad_url": "Адрес ссылки должен начинаться с http:// или https://.",
    "long_url": f"Адрес ссылки слишком длинный: не больше {MAX_URL} знаков.",
    "long_title": "Название ссылки — не длиннее 300 знаков.",
    "empty_file": "Файл пуст.",
    "nothing": "Укажите ссылку или выберите файл.",
    "too_many": f"К мероприятию можно приложить не больше {MAX_LINKS} ссылок.",
    "failed": "Не удалось приложить: проверьте ссылку и файл.",
    # {max_size}: the upload limit (SOKO_UPLOAD_MAX_BYTES) as people read it, «20 МБ».
    "too_large": "Файл больше {max_size}: приложите файл поменьше или дайте ссылку на него.",
    # The activity changed since the page was opened (its ETag, the form's `etag`): the page
    # it lands on shows it as it is now, with what was typed.
    "stale": etag.STALE,
}
# The heading of the page's problems: what was sent and not attached (`_heading`).
HEADINGS = {
    (True, False): "Ссылка не приложена",
    (False, True): "Файл не приложен",
    (True, True): "Ссылка и файл не приложены",
}
TYPED_KEPT = 2000  # characters of a typed field carried back in the address


def _kept(fields: Any) -> dict[str, str]:
    """The typed link and title to show again in the form: each whole, or empty when longer
    than TYPED_KEPT — a cut address sent again as it stands would attach a broken link."""
    typed = {k: fields.get(k, "") for k in ("url", "title")}
    return {k: v if len(v) <= TYPED_KEPT else "" for k, v in typed.items()}


async def _page(
    request: Request,
    session: AsyncSession,
    person: Visitor,
    activity_id: uuid.UUID,
    *,
    problems: list[str] | None = None,
    typed: dict[str, str] | None = None,
    heading: str = "",
) -> Response:
    """The evidence page of the activity (NotFound when the visitor cannot read it)."""
    access = person.access(session)
    activity = await tracking.get_activity(access, activity_id)
    roadmap = await session.get(Roadmap, activity.roadmap_id)
    return page(
        request,
        "activity_evidence.html",
        person=person,
        activity=activity,
        roadmap_title=roadmap.title if roadmap else "",
        files=await tracking.list_files(access, activity_id),
        changeable=await tracking.may_change(access, activity_id),
        etag=await tracking.STATE.tag(session, activity_id),
        added=ADDED.get(request.query_params.get("added", "")),
        reopened=bool(request.query_params.get("reopened")),
        problems=problems or [],
        problem_heading=heading,
        typed=typed or {},
    )


def _heading(codes: list[str], typed: dict[str, str], with_file: bool) -> str:
    """What was sent and not attached, said over the problems («Ссылка не приложена», «Файл
    не приложен», both), or «Ничего не приложено» (nothing chosen, the API refused)."""
    if not codes or "nothing" in codes or "failed" in codes:
        return "Ничего не приложено"
    link = any(typed.values())
    return HEADINGS.get((link, with_file or "empty_file" in codes), "Ничего не приложено")


@router.get("/activities/{activity_id}/evidence")
async def evidence_page(activity_id: uuid.UUID, request: Request, session: SessionDep) -> Response:
    """The activity's evidence: what is asked for, what is attached, the form to attach more;
    after a refused post (`?problem=…&url=…&title=…`), what was wrong and the link as typed."""
    person = await visitor(request, session)
    if person is None:
        return sign_in_first(request)
    query = request.query_params
    codes = [p for p in dict.fromkeys(query.getlist("problem")) if p in PROBLEMS]
    max_size = file_size(request.app.state.settings.upload_max_bytes)
    problems = [PROBLEMS[p].format(max_size=max_size) for p in codes]
    typed = _kept(query) if problems or query.get("added") == "file_not_title" else {}
    try:
        return await _page(
            request, session, person, activity_id,
            problems=problems, typed=typed,
            heading=_heading(codes, typed, bool(query.get("with_file"))),
        )  # fmt: skip
    except NotFound:
        return _message(request, 404, "not_found", person)


def _link(fields: Any) -> tuple[EvidenceLink | None, list[str]]:
    """The link typed in the form (none when both fields are empty), or what is wrong
    (`PROBLEMS` codes)."""
    url, title = (str(fields.get(k) or "").strip() for k in ("url", "title"))
    if not url and not title:
        return None, []
    if not url:
        return None, ["no_url"]
    try:
        return EvidenceLink(title=title or url[:300], url=url), []  # type: ignore[arg-type]
    except ValidationError as exc:
        wrong = {(str(e["loc"][0]), e["type"]) for e in exc.errors()}
        problems = []
        if ("url", "url_too_long") in wrong:
            problems.append("long_url")  # a long address may well start with https://
        elif any(field == "url" for field, _ in wrong):
            problems.append("bad_url")
        if any(field == "title" for field, _ in wrong):
            problems.append("long_title")
        return None, problems


def _again(
    activity_id: uuid.UUID, problems: list[str], typed: dict[str, str], with_file: bool = False
) -> Response:
    """Post/Redirect/Get for a post refused for what was typed: back to the evidence page
    (303), its query naming the problems and carrying what was typed (and `with_file` when a
    file was chosen too: it was not attached either), so Back and reload show a page, never
    «Confirm form resubmission»."""
    pairs = [("problem", p) for p in problems] + [(k, v) for k, v in typed.items() if v]
    query = urlencode(pairs + ([("with_file", "1")] if with_file else []))
    return _redirect(f"/activities/{activity_id}/evidence?{query}#attach-problems")


@router.post("/activities/{activity_id}/evidence")
async def attach_evidence(
    activity_id: uuid.UUID, request: Request, session: SessionDep
) -> Response:
    """A link (`url`, `title`) and/or a file (`file`, multipart): checked first, then attached
    as the API does; back to the page saying what was attached (303). A wrong link or
    nothing to attach: back to the page (303) saying what is wrong, with the link as typed
    (`_again`; a file past the upload limit too, when the body could still be read — past it
    by more than a form's overhead, BodyLimitMiddleware's page says so). 403 without the CSRF
    token or the right, 404 for an activity the visitor cannot read, 422 for a field sent
    twice (`page_form`); without a session, the sign-in page leading back to the evidence
    page."""
    evidence = f"/activities/{activity_id}/evidence"
    posted = await page_form(request, session, back=evidence, max_files=1, max_fields=10)
    if isinstance(posted, Response):
        return posted
    person, fields, sent = posted.person, posted.fields, posted.file("file")
    settings: Settings = request.app.state.settings
    typed = _kept(fields)
    link, problems = _link(fields)
    upload, with_file = None, sent is not None
    try:
        # The activity as the page showed it (its ETag): attached only if nobody changed it
        # since, as a PATCH with If-Match; a form without it (an older page) as before.
        opened = etag.parse_if_match(fields["etag"]) if fields.get("etag") else None
    except etag.MalformedIfMatch:
        return _again(activity_id, ["stale"], typed, with_file)
    try:
        access = person.access(session)
        activity = await tracking.get_activity(access, activity_id)  # 404 before any problem
        if sent is not None:
            upload = await read_upload(sent, upload_limits(request))
            if not upload.content:
                problems.append("empty_file")
        if link is None and upload is None and not problems:
            problems.append("nothing")
        with_file = upload is not None and bool(upload.content)
        titled_file = with_file and problems == ["no_url"]  # a title meant for the file
        if titled_file:
            problems = []
        if problems:
            return _again(activity_id, problems, typed, with_file)
        # Only the links are the activity's state a stale page could overwrite: a file alone
        # is added to the others whatever changed meanwhile (was refused, to be picked again).
        guarded = opened if link is not None else None
        async with etag.precondition(session, tracking.STATE, activity_id, guarded):
            if link is not None:
                links = [*activity.evidence, link.model_dump(mode="json")]
                if len(links) > MAX_LINKS:
                    return _again(activity_id, ["too_many"], typed, with_file)
                update = ActivityUpdate(evidence=links)  # type: ignore[arg-type]
                await tracking.update_activity(access, activity_id, update, settings.today())
            if upload is not None and sent is not None:
                await tracking.add_file(
                    access, activity_id, upload.filename, sent.content_type or "", upload.content
                )
    except etag.PreconditionFailed:  # nothing attached: the savepoint was rolled back
        return _again(activity_id, ["stale"], typed, with_file)
    except UploadTooLarge:  # the file only: the link typed beside it is not attached either
        return _again(activity_id, ["too_large"], typed, with_file=True)
    except NotFound:
        return _message(request, 404, "not_found", person)
    except Forbidden:
        return _message(request, 403, "forbidden", person)
    except Invalid:
        return _again(activity_id, ["failed"], typed)
    if titled_file:
        kept = urlencode({"added": "file_not_title", "title": typed.get("title", "")})
        return _redirect(f"/activities/{activity_id}/evidence?{kept}#attached")
    added = "both" if link and upload else "link" if link else "file"
    return _redirect(f"/activities/{activity_id}/evidence?added={added}#attached")


@router.post("/activities/{activity_id}/evidence/remove")
async def remove_evidence(
    activity_id: uuid.UUID, request: Request, session: SessionDep
) -> Response:
    """«Убрать» beside an attached link (`link_url`, `link_title`: the first link that is
    both goes, as `PATCH /v1/activities/{id}` with the others) or file (`file_id`, as `DELETE
    /v1/activities/{id}/files/{file_id}`); back to the page saying so (303), or saying it was
    gone already (someone removed it meanwhile). 403/404 pages as for attaching."""
    evidence = f"/activities/{activity_id}/evidence"
    posted = await page_form(request, session, back=evidence, max_fields=10)
    if isinstance(posted, Response):
        return posted
    person, fields = posted.person, posted.fields
    settings: Settings = request.app.state.settings
    try:
        access = person.access(session)
        activity = await tracking.get_activity(access, activity_id)
        if fields.get("file_id"):
            done = "removed_file"
            await tracking.remove_file(access, activity_id, uuid.UUID(fields["file_id"]))
        else:
            done, posted_link = "removed_link", (fields.get("link_url"), fields.get("link_title"))
            links = list(activity.evidence)
            at = next(
                (i for i, x in enumerate(links) if (x.get("url"), x.get("title")) == posted_link),
                None,
            )
            if at is None:
                raise NotFound("Ссылка не найдена")
            update = ActivityUpdate(evidence=links[:at] + links[at + 1 :])  # type: ignore[arg-type]
            await tracking.update_activity(access, activity_id, update, settings.today())
    except ValueError:  # not a file's id
        return _message(request, 404, "not_found", person)
    except NotFound:
        if not await _readable(session, person, activity_id):
            return _message(request, 404, "not_found", person)
        done = "gone"
    except Forbidden:
        return _message(request, 403, "forbidden", person)
    return _redirect(f"{evidence}?added={done}#attached")


async def _readable(session: AsyncSession, person: Visitor, activity_id: uuid.UUID) -> bool:
    try:
        await tracking.get_activity(person.access(session), activity_id)
    except NotFound:
        return False
    return True


@router.get("/activities/{activity_id}/evidence/files/{file_id}")
async def download(
    activity_id: uuid.UUID, file_id: uuid.UUID, request: Request, session: SessionDep
) -> Response:
    """An attached file, for whoever reads the activity (as the API's download)."""
    person = await visitor(request, session)
    if person is None:
        return sign_in_first(request, f"/activities/{activity_id}/evidence")
    try:
        stored = await tracking.get_file(person.access(session), activity_id, file_id)
    except NotFound:
        return _message(request, 404, "not_found", person)
    disposition = f"attachment; filename*=UTF-8''{quote(stored.file_name, safe='')}"
    headers = {"Content-Disposition": disposition, "Cache-Control": "no-store"}
    return Response(stored.content, media_type=stored.content_type, headers=headers)
