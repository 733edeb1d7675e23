"""The assessment calendar of schools (the procedures' catalogue: `catalogue.py`).

Two assessments of the same class on the same day are a conflict (no more than one assessment
a day per class); an event without a class concerns the whole grade, so it conflicts with the
events of every class of that grade. Conflicts are found in SQL, by a self-join on the
calendar's (organization, date) index.
"""

import re
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from services.api.access import ORGANIZATION_MANAGERS, authorize
from services.api.assessments.catalogue import load_catalogue
from services.api.assessments.models import (
    AssessmentEvent,
    AssessmentProcedure,
)
from services.api.assessments.schemas import (
    ConflictRead,
    EventBrief,
    EventCreate,
    EventRead,
)
from services.api.organizations.models import Organization
from services.api.territories.scope import DbScopeResolver
from shared.errors import Conflict, Invalid
from shared.identity import Principal, ScopeType
from shared.pagination import Pagination, paginate
from shared.scope import ensure_in_scope, readable_organizations

# "5А", "5", "А", "5-1", "5.1"; Latin letters that look Cyrillic are taken as Cyrillic.
_CLASS_LABEL_RE = re.compile(r"(?P<grade>\d{1,2})?(?:[А-ЯЁ]{1,2}|[-./]\d{1,2})?")
_LATIN_LOOKALIKES = str.maketrans("ABEKMHOPCTXY", "АВЕКМНОРСТХУ")


# --- the calendar ------------------------------------------------------------------------------


def normalize_class_label(label: str | None, grade: int) -> str | None:
    """ "5 а", "5-а" and "5А" are one class; an empty label means the whole grade."""
    if label is None or not label.strip():
        return None
    compact = re.sub(r"\s+", "", label).upper().translate(_LATIN_LOOKALIKES)
    compact = re.sub(r"(?<=\d)[-.](?=[А-ЯЁ])", "", compact)  # "5-а" is "5А"
    match = _CLASS_LABEL_RE.fullmatch(compact)
    if not match:
        raise Invalid.at("class_label", "Класс записывается как «5А» (или пусто — вся параллель)")
    if match["grade"] and int(match["grade"]) != grade:
        raise Invalid.at("class_label", f"Класс {compact} не из {grade}-й параллели")
    return compact


def _same_class(a: Any, b: Any) -> ColumnElement[bool]:
    """b is another event of a's class (or of its whole grade) on the same day."""
    return and_(
        b.organization_id == a.organization_id,
        b.event_date == a.event_date,
        b.grade == a.grade,
        b.id != a.id,
        or_(a.class_label.is_(None), b.class_label.is_(None), a.class_label == b.class_label),
    )


def _brief(event: AssessmentEvent, code: str) -> EventBrief:
    return EventBrief(
        id=event.id,
        procedure=code,
        subject=event.subject,
        grade=event.grade,
        class_label=event.class_label,
    )


async def _conflicts_of(
    session: AsyncSession, ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[EventBrief]]:
    """The conflicting events of each event, in one query."""
    a, b = aliased(AssessmentEvent), aliased(AssessmentEvent)
    query = (
        select(a.id, b, AssessmentProcedure.code)
        .join(b, _same_class(a, b))
        .join(AssessmentProcedure, AssessmentProcedure.id == b.procedure_id)
        .where(a.id.in_(ids))
        .order_by(b.class_label.nulls_first(), AssessmentProcedure.code, b.subject)
    )
    found: dict[uuid.UUID, list[EventBrief]] = {i: [] for i in ids}
    for event_id, other, code in await session.execute(query):
        found[event_id].append(_brief(other, code))
    return found


async def _read_events(
    session: AsyncSession, rows: list[tuple[AssessmentEvent, str]]
) -> list[EventRead]:
    conflicts = await _conflicts_of(session, [event.id for event, _ in rows])
    return [
        EventRead(
            **_brief(event, code).model_dump(),
            organization_id=event.organization_id,
            event_date=event.event_date,
            note=event.note,
            created_at=event.created_at,
            conflicts=conflicts[event.id],
        )
        for event, code in rows
    ]


async def create_event(
    session: AsyncSession, scopes: DbScopeResolver, principal: Principal, data: EventCreate
) -> EventRead:
    """Plan an assessment; it is stored even when it conflicts, and the answer says with what."""
    await authorize(
        principal, scopes, ScopeType.organization, data.organization_id, ORGANIZATION_MANAGERS
    )
    class_label = normalize_class_label(data.class_label, data.grade)
    catalogue = await load_catalogue(session, {data.procedure})
    procedure = catalogue.procedures.get(data.procedure)
    if procedure is None:
        raise Invalid.at("procedure", f"Нет оценочной процедуры с кодом {data.procedure}")
    subject = catalogue.subject(procedure, data.subject, data.grade)
    if subject is None:
        raise Invalid.at(
            "subject",
            f"В каталоге {procedure.code} нет предмета «{data.subject}» в {data.grade} классе",
        )
    event = AssessmentEvent(
        organization_id=data.organization_id,
        procedure_id=procedure.id,
        subject=subject.subject,
        grade=data.grade,
        class_label=class_label,
        event_date=data.event_date,
        note=data.note,
    )
    session.add(event)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise Conflict("Эта процедура уже запланирована этому классу на этот день") from exc
    return (await _read_events(session, [(event, procedure.code)]))[0]


@dataclass
class CalendarFilter:
    organization_id: uuid.UUID | None = None
    territory_id: uuid.UUID | None = None
    date_from: date | None = None
    date_to: date | None = None
    procedure: str | None = None


async def _where(
    session: AsyncSession,
    scopes: DbScopeResolver,
    principal: Principal,
    event: Any,
    filters: CalendarFilter,
) -> list[ColumnElement[bool]]:
    """Conditions on an event: the caller's organizations, then the filters asked for."""
    conditions: list[ColumnElement[bool]] = []
    readable = await readable_organizations(principal, scopes)
    if readable is not None:
        conditions.append(event.organization_id.in_(readable))
    if filters.organization_id is not None:
        await ensure_in_scope(principal, scopes, ScopeType.organization, filters.organization_id)
        conditions.append(event.organization_id == filters.organization_id)
    if filters.territory_id is not None:
        subtree = await scopes.subtree(filters.territory_id)
        organizations = select(Organization.id).where(Organization.territory_id.in_(subtree))
        conditions.append(event.organization_id.in_(organizations))
    if filters.date_from is not None:
        conditions.append(event.event_date >= filters.date_from)
    if filters.date_to is not None:
        conditions.append(event.event_date <= filters.date_to)
    return conditions


async def list_events(
    session: AsyncSession,
    scopes: DbScopeResolver,
    principal: Principal,
    page: Pagination,
    filters: CalendarFilter,
) -> tuple[list[EventRead], int]:
    """The calendar by date, each event with the events it conflicts with."""
    e = AssessmentEvent
    query: Select[Any] = (
        select(e, AssessmentProcedure.code)
        .join(AssessmentProcedure, AssessmentProcedure.id == e.procedure_id)
        .where(*await _where(session, scopes, principal, e, filters))
        .order_by(
            e.event_date,
            e.organization_id,
            e.grade,
            e.class_label.nulls_first(),
            AssessmentProcedure.code,
            e.subject,
        )
    )
    if filters.procedure is not None:
        query = query.where(AssessmentProcedure.code == filters.procedure)
    rows, total = await paginate(session, query, page, whole_rows=True)
    return await _read_events(session, [(event, code) for event, code in rows]), total


async def list_conflicts(
    session: AsyncSession,
    scopes: DbScopeResolver,
    principal: Principal,
    page: Pagination,
    filters: CalendarFilter,
) -> tuple[list[ConflictRead], int]:
    """Each conflicting pair once; with `procedure`, the pairs that involve that procedure."""
    a, b = aliased(AssessmentEvent, name="a"), aliased(AssessmentEvent, name="b")
    pa, pb = aliased(AssessmentProcedure, name="pa"), aliased(AssessmentProcedure, name="pb")
    query: Select[Any] = (
        select(a, pa.code, b, pb.code)
        .join(b, and_(_same_class(a, b), a.id < b.id))
        .join(pa, pa.id == a.procedure_id)
        .join(pb, pb.id == b.procedure_id)
        .where(*await _where(session, scopes, principal, a, filters))
        .order_by(a.event_date, a.organization_id, a.grade, a.class_label.nulls_first(), a.id, b.id)
    )
    if filters.procedure is not None:
        query = query.where(or_(pa.code == filters.procedure, pb.code == filters.procedure))
    rows, total = await paginate(session, query, page, whole_rows=True)
    items = [
        ConflictRead(
            organization_id=first.organization_id,
            event_date=first.event_date,
            first=_brief(first, first_code),
            second=_brief(second, second_code),
        )
        for first, first_code, second, second_code in rows
    ]
    return items, total
