"""What each role's home shows, read through the api's own service functions with the
visitor's `Access` (so a page shows exactly what the API would answer them), in a fixed number
of queries whatever the number of roadmaps or activities."""

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Generic, TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.access import Access
from services.api.organizations.models import Cluster, Organization
from services.api.organizations.service import list_organizations
from services.api.roadmaps import tracking
from services.api.roadmaps.models import Activity, ActivityFile, Roadmap, RoadmapSection
from services.api.roadmaps.schemas import ActivityUpdate, Progress
from services.api.roadmaps.service import list_roadmaps
from services.api.staff.models import StaffMember
from services.api.staff.service import get_staff
from services.api.territories.models import Territory
from shared.errors import Conflict
from shared.identity import Principal, ScopeType
from shared.pagination import Pagination
from shared.periods import parse_programme_period
from shared.templating import natural_key

# How many rows a home lists at the most (the rest is said as "показаны N из M").
LISTED = 200
T = TypeVar("T")
_SCOPE_MODELS = {
    ScopeType.territory: Territory,
    ScopeType.cluster: Cluster,
    ScopeType.organization: Organization,
}


@dataclass
class RoadmapLine:
    """One roadmap on a home: done/total counts the activities not cancelled."""

    roadmap: Roadmap
    progress: Progress
    overdue: list[Activity] = field(default_factory=list)
    # The titles of the sections the overdue activities are in, by section id.
    section_titles: dict[uuid.UUID, str] = field(default_factory=dict)

    @property
    def active(self) -> int:
        return self.progress.total - self.progress.cancelled

    @property
    def overdue_by_section(self) -> list[tuple[str | None, list[Activity]]]:
        """The overdue activities in document order, grouped by their section (its title;
        None for those outside any): their numbers restart in each section, so «1.» is only
        told from another «1.» by the section it is under."""
        groups: list[tuple[str | None, list[Activity]]] = []
        for activity in self.overdue:
            title = self.section_titles.get(activity.section_id) if activity.section_id else None
            if not groups or groups[-1][0] != title:
                groups.append((title, []))
            groups[-1][1].append(activity)
        return groups


@dataclass
class Listing(Generic[T]):
    """The first `LISTED` rows of a list and how many there are in all."""

    items: list[T]
    total: int


async def scope_name(session: AsyncSession, principal: Principal) -> str | None:
    """The name of a user's territory, cluster or school (None for an administrator)."""
    if principal.scope_type is None or principal.scope_id is None:
        return None
    model = _SCOPE_MODELS[principal.scope_type]
    return await session.scalar(select(model.name).where(model.id == principal.scope_id))


async def roadmaps(access: Access, as_of: date) -> Listing[RoadmapLine]:
    """The roadmaps the visitor reads (the newest `LISTED` of `GET /v1/roadmaps`) in the order
    of their periods (`_by_period`), each with its progress and its activities overdue as of
    `as_of` and the titles of their sections: four queries at the most."""
    items, total = await list_roadmaps(access, Pagination(limit=LISTED, offset=0))
    ids = [r.id for r in items]
    figures = await tracking.progress_of_many(access.session, ids, as_of)
    lines = {r.id: RoadmapLine(r, figures[r.id]) for r in items}
    overdue = await tracking.overdue_of_many(access.session, ids, as_of)
    for activity in overdue:
        lines[activity.roadmap_id].overdue.append(activity)
    if sections := {a.section_id for a in overdue if a.section_id}:
        rows = await access.session.execute(
            select(RoadmapSection.roadmap_id, RoadmapSection.id, RoadmapSection.title).where(
                RoadmapSection.id.in_(sections)
            )
        )
        for roadmap_id, section_id, title in rows:
            lines[roadmap_id].section_titles[section_id] = title
    return Listing(sorted(lines.values(), key=_by_period), total)


def _by_period(line: RoadmapLine) -> tuple[int, int, tuple[tuple[int, int | str], ...]]:
    """Roadmaps by the start of their period, newest first (the school year 2026/2027 before
    the calendar year 2026), then by title in natural order; without a period last."""
    roadmap = line.roadmap
    start = roadmap.period_start
    if start is None and roadmap.period:
        try:
            start = parse_programme_period(roadmap.period).start
        except ValueError:
            start = None
    title = natural_key(roadmap.title)
    return (1, 0, title) if start is None else (0, -start.toordinal(), title)


async def organizations(access: Access) -> Listing[Organization]:
    """The organizations the visitor reads, by name (as `GET /v1/organizations`)."""
    items, total = await list_organizations(access, Pagination(limit=LISTED, offset=0))
    return Listing(items, total)


@dataclass
class SchoolActivity:
    """An activity of the leader's school; `files`: how many files are attached to it."""

    activity: Activity
    roadmap_title: str
    overdue: bool
    files: int = 0

    @property
    def evidence_count(self) -> int:
        """The links and the files attached (the count beside «Материалы о выполнении»)."""
        return len(self.activity.evidence) + self.files


async def school_activities(access: Access, as_of: date) -> Listing[SchoolActivity]:
    """The activities the visitor's school is responsible for (as `GET /v1/activities?
    responsible_organization_id=…`), with their roadmaps' titles and how many files each
    has: four queries."""
    school = access.principal.scope_id
    assert school is not None
    items, total = await tracking.list_activities(
        access,
        Pagination(limit=LISTED, offset=0),
        roadmap_id=None,
        as_of=as_of,
        responsible_organization_id=school,
    )
    ids = {a.roadmap_id for a in items}
    query = select(Roadmap.id, Roadmap.title).where(Roadmap.id.in_(ids))
    titles = {rid: title for rid, title in await access.session.execute(query)}
    files = await _file_counts(access.session, [a.id for a in items])
    rows = [
        SchoolActivity(a, titles[a.roadmap_id], tracking.is_overdue(a, as_of), files.get(a.id, 0))
        for a in items
    ]
    return Listing(rows, total)


async def _file_counts(session: AsyncSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    """How many files each of the activities `ids` has attached: one query."""
    if not ids:
        return {}
    query = (
        select(ActivityFile.activity_id, func.count())
        .where(ActivityFile.activity_id.in_(ids))
        .group_by(ActivityFile.activity_id)
    )
    return {activity_id: n for activity_id, n in await session.execute(query)}


async def mark_done(access: Access, activity_id: uuid.UUID, today: date) -> Activity:
    """`PATCH /v1/activities/{id}` with `status: done` (its rights and history, done today)."""
    return await tracking.update_activity(access, activity_id, ActivityUpdate(status="done"), today)


async def reopen(access: Access, activity_id: uuid.UUID, today: date) -> Activity:
    """«Вернуть в работу»: a done activity back to `in_progress` (its completion date cleared),
    as `PATCH /v1/activities/{id}` with `status: in_progress` does, with its rights (Forbidden,
    NotFound) and history; Conflict when the activity is not done."""
    activity = await tracking.get_activity(access, activity_id)
    if activity.status != "done":
        raise Conflict("Мероприятие не отмечено выполненным")
    update = ActivityUpdate(status="in_progress")
    return await tracking.update_activity(access, activity_id, update, today)


async def own_record(access: Access) -> StaffMember | None:
    """The visitor's own staff record (a teacher's), or None for an account without one."""
    if access.principal.staff_id is None:
        return None
    return await get_staff(access, access.principal.staff_id)
