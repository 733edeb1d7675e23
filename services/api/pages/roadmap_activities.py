"""HTTP: a roadmap's activities on the api's pages, `/roadmaps/{id}/activities`.

Every activity of a roadmap the visitor reads (as `GET /v1/roadmaps/{id}/activities`), with
its deadline, status, evidence link and, to whoever may change it (the roadmap owner's
analysts, an administrator, the leader of a responsible school: `tracking`'s rule),
«Отметить выполненным» or «Вернуть в работу» (router.py's buttons, back to this page). So the
analyst can undo a misclick anywhere in the roadmap. A 404 page for a roadmap the visitor
cannot read. Four queries whatever the number of activities (the sections named on each
card: numbers restart in each).
"""

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from services.api.pages.render import page
from services.api.pages.router import _message
from services.api.pages.service import LISTED
from services.api.pages.session import sign_in_first, visitor
from services.api.roadmaps import tracking
from services.api.roadmaps.models import RoadmapSection
from services.api.roadmaps.service import get_roadmap
from shared.db import SessionDep
from shared.errors import NotFound
from shared.pagination import Pagination

router = APIRouter(include_in_schema=False)


@router.get("/roadmaps/{roadmap_id}/activities")
async def roadmap_activities(
    roadmap_id: uuid.UUID, request: Request, session: SessionDep
) -> Response:
    """The roadmap's activities (the first `LISTED`), with the buttons the visitor may use;
    `?done=1` / `?reopened=1` say what the last button did."""
    person = await visitor(request, session)
    if person is None:
        return sign_in_first(request)
    access = person.access(session)
    today = request.app.state.settings.today()
    try:
        roadmap = await get_roadmap(access, roadmap_id)
        items, total = await tracking.list_activities(
            access, Pagination(limit=LISTED, offset=0), roadmap_id=roadmap_id, as_of=today
        )
    except NotFound:
        return _message(request, 404, "not_found", person, "roadmap")
    changeable = await tracking.changeable(access, roadmap, items)
    # Numbers restart in each section: each card names its section.
    sections = dict(
        (
            await session.execute(
                select(RoadmapSection.id, RoadmapSection.title).where(
                    RoadmapSection.roadmap_id == roadmap_id
                )
            )
        ).all()
    )
    query = request.query_params
    notice = "done" if query.get("done") else "reopened" if query.get("reopened") else None
    # The activity whose button was pressed: its card says the notice (the address scrolls
    # there), the top of the page when it is not among those listed.
    changed = next((a.id for a in items if str(a.id) == query.get("changed")), None)
    return page(
        request,
        "roadmap_activities.html",
        person=person,
        roadmap=roadmap,
        activities=items,
        total=total,
        changeable=changeable,
        sections=sections,
        overdue={a.id for a in items if tracking.is_overdue(a, today)},
        notice=notice,
        changed=changed,
    )
