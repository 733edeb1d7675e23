"""Roadmaps: create (by hand or from a document), read, change. Who sees a roadmap: whoever's
scope contains its owner, and everyone under it (a school reads its municipality's and its
clusters' roadmaps). Who writes: the owner scope's analysts, or a school's leader for the
school's own roadmap."""

import uuid
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.access import MANAGERS, ORGANIZATION_MANAGERS, Access
from services.api.organizations.models import Cluster, Organization
from services.api.roadmaps import responsible
from services.api.roadmaps.deadlines import parse_deadline
from services.api.roadmaps.models import Activity, Roadmap, RoadmapSection
from services.api.roadmaps.schemas import ActivityCreate, RoadmapCreate, RoadmapUpdate
from services.api.staff.models import StaffMember
from services.api.territories.models import Territory
from services.api.territories.scope import DbScopeResolver
from shared.errors import Invalid, NotFound
from shared.identity import Principal, ScopeType, require_roles
from shared.pagination import Pagination, containing, paginate, where_given
from shared.periods import Period, parse_programme_period
from shared.scope import ScopeInfo, contains

# Which owner each level of roadmap has.
LEVEL_OWNER = {
    "region": "territory",
    "municipality": "territory",
    "cluster": "cluster",
    "organization": "organization",
}
# How messages name a level (genitive: «уровня региона») and an owner (dative: «принадлежит
# территории»); the code follows in parentheses.
LEVEL_WORDS = {
    "region": "региона",
    "municipality": "муниципалитета",
    "cluster": "кластера",
    "organization": "организации",
}
OWNER_WORDS = {"territory": "территории", "cluster": "кластеру", "organization": "организации"}


def period_of(code: str | None, field: str = "period") -> Period | None:
    """A roadmap's period from its code (a reporting period or a programme's span,
    `parse_programme_period`); None for none; Invalid naming `field` when it does not parse."""
    if not code:
        return None
    try:
        return parse_programme_period(code)
    except ValueError as exc:
        said = str(exc)  # parse_period's own messages name the code already
        if not said.startswith(f"Период «{code}»"):
            said = f"Период «{code}» не распознан: {said}"
        raise Invalid.at(field, said) from exc


async def authorize_owner(
    access: Access, level: str, owner_type: str, owner_id: uuid.UUID
) -> ScopeInfo:
    """The owner exists, fits the level, and the caller may write its roadmaps (Invalid for a
    level that does not fit, Forbidden for other roles, NotFound outside the caller's scope)."""
    if LEVEL_OWNER[level] != owner_type:
        owner = LEVEL_OWNER[level]
        raise Invalid.at(
            "owner_type",
            f"Дорожная карта уровня {LEVEL_WORDS[level]} принадлежит {OWNER_WORDS[owner]} "
            f"(owner_type = {owner})",
        )
    if owner_type == "territory":
        query = select(Territory.kind).where(Territory.id == owner_id)
        kind = await access.session.scalar(query)
        if kind is not None and kind != level:
            raise Invalid.at(
                "level",
                f"Владелец — территория уровня {LEVEL_WORDS.get(kind, kind)}, а карта — уровня "
                f"{LEVEL_WORDS[level]} (level = {kind})",
            )
    writers = ORGANIZATION_MANAGERS if owner_type == "organization" else MANAGERS
    require_roles(access.principal, *writers)  # first: a role that may not learns nothing
    info = await access.scopes.resolve(ScopeType(owner_type), owner_id)
    if not contains(access.principal, info):
        raise NotFound("Владелец дорожной карты не найден")
    return info


async def can_read(principal: Principal, scopes: DbScopeResolver, roadmap: Roadmap) -> bool:
    owner = await scopes.resolve(ScopeType(roadmap.owner_type), roadmap.owner_id)
    if contains(principal, owner):
        return True
    if principal.scope_type is None or principal.scope_id is None:
        return False
    mine = await scopes.resolve(principal.scope_type, principal.scope_id)
    if roadmap.owner_type == "territory":
        return roadmap.owner_id in mine.territory_ids
    return roadmap.owner_type == "cluster" and roadmap.owner_id in mine.cluster_ids


async def get_roadmap(access: Access, roadmap_id: uuid.UUID) -> Roadmap:
    """The roadmap if the caller may read it (NotFound otherwise)."""
    roadmap = await access.session.get(Roadmap, roadmap_id)
    if roadmap is None or not await can_read(access.principal, access.scopes, roadmap):
        raise NotFound("Дорожная карта не найдена")
    return roadmap


async def authorize_write(access: Access, roadmap_id: uuid.UUID) -> Roadmap:
    roadmap = await get_roadmap(access, roadmap_id)
    await authorize_owner(access, roadmap.level, roadmap.owner_type, roadmap.owner_id)
    return roadmap


async def _candidates(
    session: AsyncSession, owner: ScopeInfo
) -> tuple[list[responsible.Candidate], list[responsible.Candidate]]:
    """Organizations (and, below territory level, staff) a roadmap of this owner may name."""
    orgs = await session.execute(
        select(Organization.id, Organization.name, Organization.short_name).where(
            Organization.id.in_(owner.organization_ids)
        )
    )
    staff: list[tuple[uuid.UUID, str]] = []
    if owner.scope_type != ScopeType.territory:  # a whole territory's staff is too many to scan
        rows = await session.execute(
            select(StaffMember.id, StaffMember.full_name).where(
                StaffMember.organization_id.in_(owner.organization_ids)
            )
        )
        staff = [(r[0], r[1]) for r in rows]
    return (
        responsible.organization_candidates([(r[0], r[1], r[2]) for r in orgs]),
        responsible.staff_candidates(staff),
    )


def deadline_fields(text: str, period: Period | None) -> dict[str, Any]:
    deadline = parse_deadline(text, period) if text.strip() else None
    if deadline is None:
        return {
            "deadline_kind": "none",
            "due_start": None,
            "due_end": None,
            "recurrence": None,
            "recurrence_detail": None,
        }
    return {
        "deadline_kind": deadline.kind,
        "due_start": deadline.due_start,
        "due_end": deadline.due_end,
        "recurrence": deadline.recurrence,
        "recurrence_detail": deadline.recurrence_detail,
    }


async def create_roadmap(
    access: Access, data: RoadmapCreate, *, source: str | None = None
) -> Roadmap:
    """A roadmap with its sections and activities; deadlines parsed, responsibles recognised."""
    session = access.session
    owner = await authorize_owner(access, data.level, data.owner_type, data.owner_id)
    period = period_of(data.period)
    roadmap = Roadmap(
        title=data.title,
        level=data.level,
        owner_type=data.owner_type,
        owner_id=data.owner_id,
        period=period.code if period else None,
        period_start=period.start if period else None,
        period_end=period.end if period else None,
        passport=data.passport.model_dump(exclude_none=True),
        source=source,
        created_by=access.principal.user_id,
    )
    sections = [
        RoadmapSection(roadmap_id=roadmap.id, position=index, title=section.title)
        for index, section in enumerate(data.sections)
    ]
    # Level by level: the models have foreign keys but no relationships to order inserts by.
    session.add(roadmap)
    await session.flush()
    session.add_all(sections)
    await session.flush()
    orgs, staff = await _candidates(session, owner)
    position = 0
    for section, section_data in zip(sections, data.sections, strict=True):
        for item in section_data.activities:
            session.add(_activity(roadmap, section, position, item, period, orgs, staff))
            position += 1
    await session.flush()
    return roadmap


def _activity(
    roadmap: Roadmap,
    section: RoadmapSection,
    position: int,
    item: ActivityCreate,
    period: Period | None,
    orgs: list[responsible.Candidate],
    staff: list[responsible.Candidate],
) -> Activity:
    return Activity(
        roadmap_id=roadmap.id,
        section_id=section.id,
        position=position,
        **item.model_dump(),
        **deadline_fields(item.deadline_text, period),
        responsible_organization_ids=responsible.recognise_organizations(item.responsible, orgs),
        responsible_staff_ids=responsible.recognise_staff(item.responsible, staff),
    )


async def update_roadmap(access: Access, roadmap_id: uuid.UUID, data: RoadmapUpdate) -> Roadmap:
    """Title, passport, period; a new period re-reads every deadline that lacked a year."""
    session = access.session
    roadmap = await authorize_write(access, roadmap_id)
    changes = data.model_dump(exclude_unset=True)
    if "passport" in changes:
        roadmap.passport = data.passport.model_dump(exclude_none=True) if data.passport else {}
    if "title" in changes and data.title:
        roadmap.title = data.title
    if "period" in changes:
        period = period_of(data.period)
        roadmap.period = period.code if period else None
        roadmap.period_start = period.start if period else None
        roadmap.period_end = period.end if period else None
        activities = await session.scalars(
            select(Activity).where(Activity.roadmap_id == roadmap.id)
        )
        for activity in activities:
            for key, value in deadline_fields(activity.deadline_text, period).items():
                setattr(activity, key, value)
    await session.flush()
    return roadmap


async def list_roadmaps(
    access: Access,
    page: Pagination,
    *,
    level: str | None = None,
    owner_id: uuid.UUID | None = None,
    period: Period | None = None,
    q: str | None = None,
) -> tuple[list[Roadmap], int]:
    """Roadmaps the caller may read: of their scope, and of the territories and clusters above;
    with `period`, those of that period and the programmes of several years that take it in."""
    principal, scopes = access.principal, access.scopes
    query = select(Roadmap).order_by(Roadmap.created_at.desc(), Roadmap.id)
    if not principal.unrestricted and principal.scope_type and principal.scope_id:
        mine = await scopes.resolve(principal.scope_type, principal.scope_id)
        territories = set(mine.territory_ids)
        if principal.scope_type == ScopeType.territory:
            territories |= await scopes.subtree(principal.scope_id)
        clusters = set(mine.cluster_ids)
        if principal.scope_type == ScopeType.cluster:
            clusters.add(principal.scope_id)
        conditions = [
            (Roadmap.owner_type == "territory") & Roadmap.owner_id.in_(territories),
            (Roadmap.owner_type == "organization") & Roadmap.owner_id.in_(mine.organization_ids),
            (Roadmap.owner_type == "cluster") & Roadmap.owner_id.in_(clusters),
        ]
        if principal.scope_type == ScopeType.territory:
            in_territory = select(Cluster.id).where(
                Cluster.territory_id.in_(await scopes.subtree(principal.scope_id))
            )
            conditions.append(
                (Roadmap.owner_type == "cluster") & Roadmap.owner_id.in_(in_territory)
            )
        query = query.where(or_(*conditions))
    query = where_given(query, (Roadmap.level, level), (Roadmap.owner_id, owner_id))
    if period is not None:  # its own, and the programmes of several years that take it in
        several_years = Roadmap.period_end - Roadmap.period_start > 366
        query = query.where(
            or_(
                Roadmap.period == period.code,
                several_years
                & (Roadmap.period_start <= period.start)
                & (Roadmap.period_end >= period.end),
            )
        )
    return await paginate(access.session, containing(query, q, Roadmap.title), page)


async def contents(
    session: AsyncSession, roadmap: Roadmap
) -> tuple[list[RoadmapSection], list[Activity]]:
    """The roadmap's sections and activities, each in document order: two queries, whatever
    their number."""
    sections = await session.scalars(
        select(RoadmapSection)
        .where(RoadmapSection.roadmap_id == roadmap.id)
        .order_by(RoadmapSection.position)
    )
    activities = await session.scalars(
        select(Activity).where(Activity.roadmap_id == roadmap.id).order_by(Activity.position)
    )
    return list(sections), list(activities)
