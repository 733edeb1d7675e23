"""The catalogue of assessment procedures (ВПР, ОГЭ, ЕГЭ, regional and municipal diagnostics)
and their subjects: read by everyone signed in, changed by an administrator; how a file may
write a procedure (its code, name or abbreviation) and a subject (in any case)."""

import re
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.assessments.models import (
    AssessmentProcedure,
    AssessmentSubject,
)
from services.api.assessments.schemas import (
    ProcedureCreate,
    ProcedureRead,
    SubjectCreate,
    SubjectRead,
)
from shared import reinterpreted
from shared.db import lock_until_commit
from shared.errors import Conflict, Forbidden, NotFound
from shared.identity import Principal, Role
from shared.pagination import Pagination, paginate
from shared.tabular import normalize_name


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
