"""The catalogue of assessment procedures, and the assessment calendar of schools.

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
from services.api.assessments.models import (
    AssessmentEvent,
    AssessmentProcedure,
    AssessmentSubject,
)
from services.api.assessments.schemas import (
    ConflictRead,
    EventBrief,
    EventCreate,
    EventRead,
    ProcedureCreate,
    ProcedureRead,
    SubjectCreate,
    SubjectRead,
)
from services.api.organizations.models import Organization
from services.api.territories.scope import DbScopeResolver
from shared import reinterpreted
from shared.db import lock_until_commit
from shared.errors import Conflict, Forbidden, Invalid, NotFound
from shared.identity import Principal, Role, ScopeType
from shared.pagination import Pagination, paginate
from shared.scope import ensure_in_scope, readable_organizations
from shared.tabular import normalize_name

# "5А", "5", "А", "5-1", "5.1"; Latin letters that look Cyrillic are taken as Cyrillic.
_CLASS_LABEL_RE = re.compile(r"(?P<grade>\d{1,2})?(?:[А-ЯЁ]{1,2}|[-./]\d{1,2})?")
_LATIN_LOOKALIKES = str.maketrans("ABEKMHOPCTXY", "АВЕКМНОРСТХУ")


# --- the catalogue -----------------------------------------------------------------------------


@dataclass
class Catalogue:
    """Procedures by code and their subjects by (procedure, subject, grade), the subject
    compared by `shared.tabular.normalize_name` (case, NBSP and doubled spaces, ё/е aside)."""

    procedures: dict[str, AssessmentProcedure]
    subjects: dict[tuple[uuid.UUID, str, int], AssessmentSubject]

    def subject(
        self, procedure: AssessmentProcedure, subject: str, grade: int
    ) -> AssessmentSubject | None:
        return self.subjects.get((procedure.id, normalize_name(subject), grade))


async def load_catalogue(session: AsyncSession, codes: set[str]) -> Catalogue:
    """The procedures named (and their subjects), in two queries."""
    procedures = {
        p.code: p
        for p in await session.scalars(
            select(AssessmentProcedure).where(AssessmentProcedure.code.in_(codes))
        )
    }
    ids = [p.id for p in procedures.values()]
    subjects = await session.scalars(
        select(AssessmentSubject).where(AssessmentSubject.procedure_id.in_(ids))
    )
    return Catalogue(
        procedures, {(s.procedure_id, normalize_name(s.subject), s.grade): s for s in subjects}
    )


_ABBREVIATION = re.compile(r"\(([^()]+)\)\s*$")


async def procedure_codes(session: AsyncSession) -> dict[str, str]:
    """Every way a procedure is written (`normalize_name` of its code, its name, the
    abbreviation its name ends with: "ВПР", and its name without that abbreviation:
    "Всероссийские проверочные работы") -> its code."""
    spellings: dict[str, str] = {}
    for code, name in await session.execute(
        select(AssessmentProcedure.code, AssessmentProcedure.name)
    ):
        spellings[normalize_name(name)] = code
        if match := _ABBREVIATION.search(name):
            spellings[normalize_name(match.group(1))] = code
            spellings[normalize_name(name[: match.start()])] = code  # the name without it
    for code in list(spellings.values()):
        spellings[normalize_name(code)] = code
    return spellings


def spelled_procedure(spellings: dict[str, str], written: str) -> tuple[str, str | None]:
    """The code of a procedure written as `written` (by `procedure_codes`' `spellings`: its
    code, name or abbreviation, in any spacing, case and ё/е) and the note saying it was
    matched (None when written as its code): ("vpr", "процедура: «ВПР» → vpr"). A spelling
    not known is `written` stripped and lower-cased, for the catalogue to refuse."""
    code = spellings.get(normalize_name(written))
    if code is None:
        return written.strip().lower(), None
    note = reinterpreted.name_matched("процедура", written, code) if written != code else None
    return code, note


async def subject_spellings(session: AsyncSession, subject: str) -> list[str]:
    """The catalogue's spelling of a subject asked for in any case ("русский язык")."""
    wanted = subject.strip().casefold()
    names = await session.scalars(select(AssessmentSubject.subject).distinct())
    return [name for name in names if name.casefold() == wanted]


def admin_only(principal: Principal) -> None:
    """Forbidden (403) unless an administrator: who changes the catalogues of procedures and
    of their task specifications."""
    if principal.role != Role.admin:
        raise Forbidden("Каталог оценочных процедур меняет только администратор")


async def _read_procedures(
    session: AsyncSession, procedures: list[AssessmentProcedure]
) -> list[ProcedureRead]:
    ids = [p.id for p in procedures]
    subjects: dict[uuid.UUID, list[SubjectRead]] = {i: [] for i in ids}
    for s in await session.scalars(
        select(AssessmentSubject)
        .where(AssessmentSubject.procedure_id.in_(ids))
        .order_by(AssessmentSubject.grade, AssessmentSubject.subject)
    ):
        subjects[s.procedure_id].append(SubjectRead.model_validate(s))
    return [
        ProcedureRead(
            id=p.id,
            code=p.code,
            name=p.name,
            kind=p.kind,
            has_marks=p.has_marks,
            subjects=subjects[p.id],
        )
        for p in procedures
    ]


async def list_procedures(
    session: AsyncSession, page: Pagination, *, kind: str | None = None
) -> tuple[list[ProcedureRead], int]:
    """The catalogue is the same for every territory: anyone signed in may read it."""
    query = select(AssessmentProcedure).order_by(AssessmentProcedure.code)
    if kind is not None:
        query = query.where(AssessmentProcedure.kind == kind)
    items, total = await paginate(session, query, page)
    return await _read_procedures(session, items), total


async def _add_subjects(
    session: AsyncSession, procedure: AssessmentProcedure, subjects: list[SubjectCreate]
) -> list[AssessmentSubject]:
    # One writer of a procedure's subjects at a time: concurrent posts of one subject find it.
    await lock_until_commit(session, "assessment-subjects", procedure.id)
    existing = await load_catalogue(session, {procedure.code})
    added: list[AssessmentSubject] = []
    for index, data in enumerate(subjects):
        key = (procedure.id, data.subject.casefold(), data.grade)
        if key in existing.subjects:
            raise Conflict(
                f"Предмет «{data.subject}», {data.grade} класс, уже есть в процедуре "
                f"{procedure.code}",
                field=f"subjects.{index}" if len(subjects) > 1 else "subject",
            )
        subject = AssessmentSubject(procedure_id=procedure.id, **data.model_dump())
        existing.subjects[key] = subject
        added.append(subject)
    session.add_all(added)
    await session.flush()
    return added


async def create_procedure(
    session: AsyncSession, principal: Principal, data: ProcedureCreate
) -> ProcedureRead:
    """A regional or municipal diagnostic, with its subjects."""
    admin_only(principal)
    procedure = AssessmentProcedure(**data.model_dump(exclude={"subjects"}))
    session.add(procedure)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise Conflict(f"Процедура с кодом {data.code} уже есть", field="code") from exc
    await _add_subjects(session, procedure, data.subjects)
    return (await _read_procedures(session, [procedure]))[0]


async def add_subject(
    session: AsyncSession, principal: Principal, procedure_id: uuid.UUID, data: SubjectCreate
) -> SubjectRead:
    admin_only(principal)
    procedure = await session.get(AssessmentProcedure, procedure_id)
    if procedure is None:
        raise NotFound("Оценочная процедура не найдена")
    [subject] = await _add_subjects(session, procedure, [data])
    return SubjectRead.model_validate(subject)


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
