"""A roadmap and its activities as the API answers them, overdue as of a given day."""

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.api.roadmaps import service, tracking
from services.api.roadmaps.models import Activity, Roadmap
from services.api.roadmaps.schemas import ActivityRead, RoadmapDetail, RoadmapRead, SectionRead


def activity_read(activity: Activity, as_of: date) -> ActivityRead:
    """The activity, `overdue` as of `as_of`."""
    read = ActivityRead.model_validate(activity)
    read.overdue = tracking.is_overdue(activity, as_of)
    return read


async def detail(session: AsyncSession, roadmap: Roadmap, as_of: date) -> RoadmapDetail:
    """The roadmap with its sections and activities, overdue as of `as_of`."""
    sections, activities = await service.contents(session, roadmap)
    by_section: dict[uuid.UUID | None, list[ActivityRead]] = {s.id: [] for s in sections}
    for activity in activities:
        by_section.setdefault(activity.section_id, []).append(activity_read(activity, as_of))
    return RoadmapDetail(
        **RoadmapRead.model_validate(roadmap).model_dump(),
        sections=[
            SectionRead(id=s.id, position=s.position, title=s.title, activities=by_section[s.id])
            for s in sections
        ],
    )
