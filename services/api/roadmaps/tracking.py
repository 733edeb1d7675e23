"""Execution tracking: status with history, evidence, and the figures of a roadmap.

`overdue` is derived from the deadline and the date asked about, never stored: an activity is
overdue when it is neither done nor cancelled and its window has ended.
"""

import hashlib
import uuid
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from services.api.access import Access
from services.api.roadmaps.models import (
    Activity,
    ActivityFile,
    ActivityStatusChange,
    Roadmap,
    RoadmapSection,
)
from services.api.roadmaps.schemas import ActivityUpdate, Progress, RoadmapProgress, SectionProgress
from services.api.roadmaps.service import authorize_owner, get_roadmap
from shared import etag
from shared.campaign_periods import years_after
from shared.db import add_new
from shared.errors import Forbidden, Invalid, NotFound
from shared.happened import check_happened
from shared.identity import Role, ScopeType
from shared.numbers import percent
from shared.pagination import Pagination, paginate
from shared.scope import ensure_in_scope
from shared.uploads.names import stored_file_name

OPEN = ("planned", "in_progress")

ACTIVITY_NOT_FOUND = "Мероприятие не найдено"
# What an activity's ETag covers (its GET, its PATCH, the evidence page's form): its row.
STATE = etag.Versioned.of(Activity)


def is_overdue(activity: Activity, as_of: date) -> bool:
    return activity.status in OPEN and activity.due_end is not None and activity.due_end < as_of


async def progress(
    access: Access, roadmap_id: uuid.UUID, as_of: date, due_soon_days: int
) -> RoadmapProgress:
    """Counts per section and overall, in one aggregate query (ROLLUP over sections)."""
    await get_roadmap(access, roadmap_id)
    session = access.session
    a = Activity
    query = (
        select(
            a.section_id,
            func.grouping(a.section_id).label("is_total"),
            *_counts(as_of, due_soon_days),
        )
        .where(a.roadmap_id == roadmap_id)
        .group_by(func.rollup(a.section_id))
    )
    rows = (await session.execute(query)).mappings().all()
    sections = (
        await session.execute(
            select(RoadmapSection.id, RoadmapSection.title)
            .where(RoadmapSection.roadmap_id == roadmap_id)
            .order_by(RoadmapSection.position)
        )
    ).all()
    figures = {None if r["is_total"] else r["section_id"]: _figures(r) for r in rows}
    overall = figures.pop(None, None) or _figures({})
    return RoadmapProgress(
        roadmap_id=roadmap_id,
        as_of=as_of,
        due_soon_days=due_soon_days,
        overall=overall,
        sections=[
            SectionProgress(section_id=sid, title=title, **figures[sid].model_dump())
            for sid, title in sections
            if sid in figures
        ],
    )


def _counts(as_of: date, due_soon_days: int) -> list[Any]:
    """The aggregate columns of `Progress` (its counts), for any grouping of activities."""
    a = Activity
    soon = as_of + timedelta(days=due_soon_days)
    is_open = a.status.in_(OPEN)
    return [
        func.count().label("total"),
        *(
            func.count().filter(a.status == s).label(s)
            for s in ("planned", "in_progress", "done", "cancelled")
        ),
        func.count()
        .filter(a.status == "done", (a.due_end.is_(None)) | (a.completed_on <= a.due_end))
        .label("done_on_time"),
        func.count().filter(is_open, a.due_end < as_of).label("overdue"),
        func.count().filter(is_open, a.due_end >= as_of, a.due_end <= soon).label("due_soon"),
    ]


async def progress_of_many(
    session: AsyncSession, roadmap_ids: Sequence[uuid.UUID], as_of: date, due_soon_days: int = 14
) -> dict[uuid.UUID, Progress]:
    """The overall figures of each roadmap (one aggregate query, whatever their number); the
    caller has checked that it may read them. A roadmap without activities has all zeros."""
    query = (
        select(Activity.roadmap_id, *_counts(as_of, due_soon_days))
        .where(Activity.roadmap_id.in_(roadmap_ids))
        .group_by(Activity.roadmap_id)
    )
    rows = {r["roadmap_id"]: r for r in (await session.execute(query)).mappings()}
    return {rid: _figures(rows.get(rid, {})) for rid in roadmap_ids}


async def overdue_of_many(
    session: AsyncSession, roadmap_ids: Sequence[uuid.UUID], as_of: date
) -> list[Activity]:
    """The activities of these roadmaps overdue as of `as_of` (see `is_overdue`), by roadmap
    and in document order (one query); the caller has checked that it may read them."""
    query = (
        select(Activity)
        .where(
            Activity.roadmap_id.in_(roadmap_ids),
            Activity.status.in_(OPEN),
            Activity.due_end < as_of,
        )
        .order_by(Activity.roadmap_id, Activity.position)
    )
    return list(await session.scalars(query))


def _figures(row: Mapping[str, Any]) -> Progress:
    counts = {
        k: int(row.get(k) or 0)
        for k in (
            "total",
            "planned",
            "in_progress",
            "done",
            "cancelled",
            "done_on_time",
            "overdue",
            "due_soon",
        )
    }
    active = counts["total"] - counts["cancelled"]
    return Progress(
        **counts,
        done_share=percent(counts["done"], active),
        done_on_time_share=percent(counts["done_on_time"], active),
        overdue_share=percent(counts["overdue"], active),
    )


async def list_activities(
    access: Access,
    page: Pagination,
    *,
    roadmap_id: uuid.UUID | None,
    as_of: date,
    status: str | None = None,
    overdue: bool | None = None,
    responsible_organization_id: uuid.UUID | None = None,
    section_id: uuid.UUID | None = None,
    due_from: date | None = None,
    due_to: date | None = None,
    due_within_days: int | None = None,
) -> tuple[list[Activity], int]:
    """A roadmap's activities, or (without a roadmap) those an organization is responsible for."""
    a = Activity
    query = (
        select(a)
        .join(Roadmap, Roadmap.id == a.roadmap_id)
        .order_by(Roadmap.created_at, a.roadmap_id, a.position)
    )
    if roadmap_id is not None:
        await get_roadmap(access, roadmap_id)
        query = query.where(a.roadmap_id == roadmap_id)
    elif responsible_organization_id is not None:
        await ensure_in_scope(
            access.principal, access.scopes, ScopeType.organization, responsible_organization_id
        )
    else:
        raise Invalid.at(
            "responsible_organization_id",
            "Укажите дорожную карту или ответственную организацию",
            where="query",
        )
    if responsible_organization_id is not None:
        # @> rather than = ANY(...): it is what the GIN index on the array can answer.
        query = query.where(a.responsible_organization_ids.contains([responsible_organization_id]))
    if status is not None:
        query = query.where(a.status == status)
    if section_id is not None:
        query = query.where(a.section_id == section_id)
    if overdue is not None:
        late = a.status.in_(OPEN) & (a.due_end < as_of)
        query = query.where(late if overdue else ~late | a.due_end.is_(None))
    if due_within_days is not None:
        query = query.where(
            a.status.in_(OPEN), a.due_end >= as_of, a.due_end <= as_of + timedelta(due_within_days)
        )
    if due_from is not None:
        query = query.where(a.due_end >= due_from)
    if due_to is not None:
        query = query.where(a.due_start <= due_to)
    return await paginate(access.session, query, page)


async def _authorize_activity(
    access: Access, activity_id: uuid.UUID, *, lock: bool = False
) -> tuple[Activity, Roadmap]:
    """Read access to the roadmap, then: the owner's managers, or the leader of an organization
    that owns the roadmap or is responsible for the activity. With `lock` (a change), the
    activity is then locked and read afresh until the transaction ends: concurrent changes of
    one activity take turns, so each status change is recorded once, from the status it
    really left (a read, `may_change`, takes no lock)."""
    activity = await access.session.get(Activity, activity_id)
    roadmap = await _readable_roadmap(access, activity)
    if not (await changeable(access, roadmap, [activity])):
        raise Forbidden("Изменять мероприятие могут аналитики владельца карты и ответственные")
    if lock:
        await access.session.refresh(activity, with_for_update=True)
    return activity, roadmap


async def changeable(
    access: Access, roadmap: Roadmap, activities: list[Activity]
) -> set[uuid.UUID]:
    """The ids of those of the roadmap's `activities` the caller may change (status, evidence,
    files): all of them for the owner's managers (`authorize_owner`, which admits the leader of
    an organization owning the roadmap), else those whose responsible organizations include the
    leader's own. The caller reads the roadmap already (its existence is no secret)."""
    try:
        await authorize_owner(access, roadmap.level, roadmap.owner_type, roadmap.owner_id)
    except (NotFound, Forbidden):
        principal = access.principal
        if principal.role != Role.organization_leader:
            return set()
        return {a.id for a in activities if principal.scope_id in a.responsible_organization_ids}
    return {a.id for a in activities}


async def may_change(access: Access, activity_id: uuid.UUID) -> bool:
    """Whether the caller may change the activity (status, evidence links and files), by the
    rule `update_activity` and `add_file` apply; NotFound when they cannot read it."""
    try:
        await _authorize_activity(access, activity_id)
    except Forbidden:
        return False
    return True


async def _readable_roadmap(access: Access, activity: Activity | None) -> Roadmap:
    """The activity's roadmap when the caller may read it; 404 «Мероприятие не найдено» alike
    for no activity and for one of a roadmap the caller may not read (whose own 404 would
    tell that the activity exists)."""
    if activity is None:
        raise NotFound(ACTIVITY_NOT_FOUND)
    try:
        return await get_roadmap(access, activity.roadmap_id)
    except NotFound:
        raise NotFound(ACTIVITY_NOT_FOUND) from None


async def get_activity(access: Access, activity_id: uuid.UUID) -> Activity:
    """The activity if the caller may read its roadmap (NotFound otherwise)."""
    activity = await access.session.get(Activity, activity_id)
    await _readable_roadmap(access, activity)
    assert activity is not None
    return activity


def _check_completed_on(
    data: ActivityUpdate, activity: Activity, roadmap: Roadmap, today: date
) -> None:
    """A completion date is of a done activity (422 naming `completed_on` when the activity
    is not done after the change: it was silently dropped) and a day that has come; nor, in a
    roadmap with a period, over a year before the period began unless the activity's own
    deadline is earlier still (`happened.check_happened`): a year's plan is made and begun
    before its year (the August conference, last year's results analysed in the summer;
    documents give deadlines «до 15 августа 2026 г.» in a 2026/2027 plan), years before it
    are a typo of the year."""
    if data.completed_on is None:
        return
    if (data.status or activity.status) != "done":
        raise Invalid.at(
            "completed_on",
            "Дата выполнения указывается только у выполненного мероприятия: передайте её "
            "вместе со статусом «выполнено» (status: done)",
        )
    if (began := roadmap.period_start) is None:
        check_happened(data.completed_on, "completed_on", today)
        return
    since = years_after(began, -1)
    too_early = (
        f"больше чем за год до начала периода карты {roadmap.period or ''} ({began:%d.%m.%Y})"
    )
    # The activity's own deadline may lie earlier: its window's start, or a year before a
    # «до …» deadline (no start: done any time before it).
    if activity.due_start is not None:
        own, said = (
            activity.due_start,
            f"раньше начала срока мероприятия ({activity.due_start:%d.%m.%Y})",
        )
    elif activity.due_end is not None:
        own = years_after(activity.due_end, -1)
        said = f"больше чем за год до срока мероприятия ({activity.due_end:%d.%m.%Y})"
    else:
        own = None
    if own is not None and own < since:
        since, too_early = own, f"{too_early} и {said}"
    check_happened(data.completed_on, "completed_on", today, since=since, too_early=too_early)


async def update_activity(
    access: Access, activity_id: uuid.UUID, data: ActivityUpdate, today: date
) -> Activity:
    """Status (kept in the history, with the completion date) and evidence links."""
    session = access.session
    activity, roadmap = await _authorize_activity(access, activity_id, lock=True)
    _check_completed_on(data, activity, roadmap, today)
    if data.evidence is not None:
        activity.evidence = [link.model_dump(mode="json") for link in data.evidence]
    if data.status is not None and data.status != activity.status:
        session.add(
            ActivityStatusChange(
                activity_id=activity.id,
                from_status=activity.status,
                to_status=data.status,
                changed_by=access.principal.id,
                comment=data.comment,
            )
        )
        activity.status = data.status
        activity.completed_on = (data.completed_on or today) if data.status == "done" else None
    elif data.completed_on is not None and activity.status == "done":
        activity.completed_on = data.completed_on
    await session.flush()
    return activity


async def history(
    access: Access, activity_id: uuid.UUID, page: Pagination
) -> tuple[list[ActivityStatusChange], int]:
    """One page of the activity's status changes, in the order they were made, and how many
    there are (404 for an activity the caller does not read)."""
    await get_activity(access, activity_id)
    query = (
        select(ActivityStatusChange)
        .where(ActivityStatusChange.activity_id == activity_id)
        .order_by(ActivityStatusChange.id)
    )
    return await paginate(access.session, query, page)


async def add_file(
    access: Access,
    activity_id: uuid.UUID,
    file_name: str,
    content_type: str,
    content: bytes,
) -> ActivityFile:
    """Store a file for the activity as it is, under its name cleaned of paths and invisible
    characters (`shared.uploads.names.stored_file_name`); its size was bounded when it was
    read (the router's `read_upload`). Invalid naming `file` when it is empty."""
    await _authorize_activity(access, activity_id)
    if not content:
        raise Invalid.at("file", "Файл пуст")
    stored = ActivityFile(
        activity_id=activity_id,
        file_name=stored_file_name(file_name),
        content_type=content_type or "application/octet-stream",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        uploaded_by=access.principal.id,
    )
    return await add_new(access.session, stored)


async def remove_file(access: Access, activity_id: uuid.UUID, file_id: uuid.UUID) -> None:
    """Delete a file attached to the activity (attached by mistake, or the wrong version):
    whoever may change the activity (Forbidden otherwise), NotFound for a file not of it.
    The deletion is in the audit log with the file's name, size and hash (not its bytes)."""
    await _authorize_activity(access, activity_id, lock=True)
    stored = await access.session.get(ActivityFile, file_id)
    if stored is None or stored.activity_id != activity_id:
        raise NotFound("Файл не найден")
    await access.session.delete(stored)
    await access.session.flush()


def _files_of(activity_id: uuid.UUID) -> Select[Any]:
    """The activity's files, oldest first, without their bytes (a list needs names and
    sizes)."""
    return (
        select(ActivityFile)
        .options(defer(ActivityFile.content))
        .where(ActivityFile.activity_id == activity_id)
        .order_by(ActivityFile.created_at, ActivityFile.id)
    )


async def list_files(access: Access, activity_id: uuid.UUID) -> list[ActivityFile]:
    """Every file of the activity (the evidence page shows them all)."""
    await get_activity(access, activity_id)
    return list(await access.session.scalars(_files_of(activity_id)))


async def files_page(
    access: Access, activity_id: uuid.UUID, page: Pagination
) -> tuple[list[ActivityFile], int]:
    """One page of the activity's files and how many it has."""
    await get_activity(access, activity_id)
    return await paginate(access.session, _files_of(activity_id), page)


async def get_file(access: Access, activity_id: uuid.UUID, file_id: uuid.UUID) -> ActivityFile:
    await get_activity(access, activity_id)
    stored = await access.session.get(ActivityFile, file_id)
    if stored is None or stored.activity_id != activity_id:
        raise NotFound("Файл не найден")
    return stored
