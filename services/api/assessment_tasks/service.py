"""The catalogue of task specifications: checked, versioned, listed, and seeded from the data
files in `data/` (the specifications Soko ships, each with its sources).

The catalogue is the same for every territory; like the procedures' catalogue only
administrators change it and anyone signed in reads it. A specification that differs from the
latest one of its (procedure, year, subject, grade) becomes the next version; posting the
latest one again makes none. Participants keep the version they were checked against.
"""

import json
import re
import uuid
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from services.api.assessment_tasks.models import AssessmentSpecification, AssessmentTask
from services.api.assessment_tasks.schemas import (
    MarkStep,
    SpecificationCreate,
    SpecificationRead,
    TaskSpec,
)
from services.api.assessments.catalogue import admin_only, load_catalogue
from services.api.assessments.models import AssessmentProcedure, AssessmentSubject
from shared.db import lock_until_commit
from shared.errors import Invalid
from shared.identity import Principal
from shared.pagination import Pagination, paginate
from shared.school_years import read_year, year_code

DATA = Path(__file__).parent / "data"
MARKS = (2, 3, 4, 5)
# "1", "3.1", "3.1.2"; a criterion of a task as ФИС ОКО forms print it: "1К1" (К Cyrillic).
_NUMBER = re.compile(r"\d{1,2}(?:\.\d{1,2}){0,2}(?:К\d{1,2})?")


def task_number(written: str) -> str | None:
    """A task's number as printed, spaces and a Latin K aside ("1 k2" is "1К2"); None when it
    is not one."""
    compact = re.sub(r"\s+", "", written).upper().replace("K", "К")
    return compact if _NUMBER.fullmatch(compact) else None


def _problems(data: SpecificationCreate, has_marks: bool) -> list[dict[str, Any]]:
    """Every rule the tasks and the mark scale break, each naming its field."""
    errors: list[dict[str, Any]] = []

    def fail(loc: list[str | int], msg: str) -> None:
        errors.append({"loc": ["body", *loc], "msg": msg})

    try:  # «2024-2025» is 2024/2025; «2025-2024» is told which year is meant
        read_year(data.year)
    except ValueError as exc:
        fail(["year"], str(exc))
    seen: dict[str, int] = {}
    for index, task in enumerate(data.tasks):
        number = task_number(task.number)
        if number is None:
            fail(["tasks", index, "number"], f"«{task.number}» — не номер задания (1, 3.1, 1К1)")
        elif number in seen:
            fail(["tasks", index, "number"], f"Задание {number} уже было (строка {seen[number]})")
        else:
            seen[number] = index
    marks = [step.mark for step in data.mark_scale]
    total = sum(task.max_score for task in data.tasks)
    if data.mark_scale and sorted(marks) != list(MARKS):
        fail(["mark_scale"], "Шкала называет каждую отметку 2, 3, 4, 5 по одному разу")
    elif data.mark_scale:
        scale = sorted(data.mark_scale, key=lambda step: step.mark)
        if scale[0].min_score != 0:
            fail(["mark_scale", marks.index(2), "min_score"], "Отметка «2» начинается с 0 баллов")
        for lower, higher in pairwise(scale):
            if higher.min_score <= lower.min_score:
                message = (
                    f"Наименьший балл отметки «{higher.mark}» ({higher.min_score}) должен быть "
                    f"больше, чем у «{lower.mark}» ({lower.min_score})"
                )
                fail(["mark_scale", marks.index(higher.mark), "min_score"], message)
        if scale[-1].min_score > total:
            message = (
                f"Наименьший балл отметки «5» ({scale[-1].min_score}) выше суммы максимальных "
                f"баллов заданий ({total})"
            )
            fail(["mark_scale", marks.index(5), "min_score"], message)
    if data.mark_scale and not has_marks:
        fail(["mark_scale"], f"Процедура {data.procedure} не выставляет отметки 2–5")
    return errors


async def catalogue_entry(
    session: AsyncSession, code: str, subject: str, grade: int, *, where: str = "body"
) -> tuple[AssessmentProcedure, AssessmentSubject]:
    """The catalogue's procedure and its subject in a grade (the subject in any case and
    spacing); Invalid (422 naming `procedure` or `subject` in `where`) when it has none."""
    catalogue = await load_catalogue(session, {code})
    procedure = catalogue.procedures.get(code)
    if procedure is None:
        raise Invalid.at("procedure", f"Нет оценочной процедуры с кодом {code}", where=where)
    entry = catalogue.subject(procedure, subject, grade)
    if entry is None:
        message = f"В каталоге {procedure.code} нет предмета «{subject}» в {grade} классе"
        raise Invalid.at("subject", message, where=where)
    return procedure, entry


@dataclass
class Specification:
    """A stored specification with its tasks in printed order."""

    row: AssessmentSpecification
    procedure: str
    tasks: list[AssessmentTask]

    @property
    def max_score(self) -> int:
        return sum(task.max_score for task in self.tasks)

    def mark(self, score: int) -> int | None:
        """The mark a total primary score gets on this scale; None without a scale."""
        reached = [s["mark"] for s in self.row.mark_scale if s["min_score"] <= score]
        return max(reached) if reached else None

    def read(self) -> SpecificationRead:
        return SpecificationRead(
            id=self.row.id,
            procedure=self.procedure,
            year=self.row.year,
            subject=self.row.subject,
            grade=self.row.grade,
            version=self.row.version,
            tasks=[
                TaskSpec(number=t.number, max_score=t.max_score, level=t.level, skill=t.skill)
                for t in self.tasks
            ],
            mark_scale=[MarkStep(**step) for step in self.row.mark_scale],
            max_score=self.max_score,
            source=self.row.source,
            created_at=self.row.created_at,
        )


async def _with_tasks(
    session: AsyncSession, rows: list[tuple[AssessmentSpecification, str]]
) -> list[Specification]:
    ids = [row.id for row, _ in rows]
    tasks: dict[uuid.UUID, list[AssessmentTask]] = {i: [] for i in ids}
    query = (
        select(AssessmentTask)
        .where(AssessmentTask.specification_id.in_(ids))
        .order_by(AssessmentTask.position)
    )
    for task in await session.scalars(query):
        tasks[task.specification_id].append(task)
    return [Specification(row, code, tasks[row.id]) for row, code in rows]


def _newest_version() -> Any:
    """The latest version of the outer specification's key (a correlated subquery)."""
    s, other = AssessmentSpecification, aliased(AssessmentSpecification)
    return (
        select(func.max(other.version))
        .where(other.procedure_id == s.procedure_id, other.year == s.year)
        .where(other.subject == s.subject, other.grade == s.grade)
        .scalar_subquery()
    )


async def latest_specification(
    session: AsyncSession, procedure_id: uuid.UUID, year: str, subject: str, grade: int
) -> Specification | None:
    """The latest version for a key (the subject in the catalogue's spelling), or None."""
    s = AssessmentSpecification
    query = (
        select(s, AssessmentProcedure.code)
        .join(AssessmentProcedure, AssessmentProcedure.id == s.procedure_id)
        .where(s.procedure_id == procedure_id, s.year == year, s.subject == subject)
        .where(s.grade == grade)
        .order_by(s.version.desc())
        .limit(1)
    )
    rows = [(row, code) for row, code in await session.execute(query)]
    return (await _with_tasks(session, rows))[0] if rows else None


def _same(spec: Specification, data: SpecificationCreate) -> bool:
    tasks = [(task_number(t.number), t.max_score, t.level, t.skill or None) for t in data.tasks]
    stored = [(t.number, t.max_score, t.level, t.skill) for t in spec.tasks]
    scale = sorted((step.mark, step.min_score) for step in data.mark_scale)
    kept = sorted((step["mark"], step["min_score"]) for step in spec.row.mark_scale)
    return tasks == stored and scale == kept and (data.source or None) == spec.row.source


async def store_specification(
    session: AsyncSession, data: SpecificationCreate
) -> tuple[Specification, bool]:
    """Check a specification against the catalogue and its own rules, and store it as the
    next version of its key; (the specification, True) when a version was made, (the latest,
    False) when it equals the latest. Raises Invalid (422) naming each field that breaks a
    rule: an unknown procedure or subject, a malformed or repeated task number, a mark scale
    that is not 2–5 rising from 0 to at most the sum of the tasks' maximum scores."""
    procedure, subject = await catalogue_entry(session, data.procedure, data.subject, data.grade)
    if errors := _problems(data, procedure.has_marks):
        raise Invalid(errors[0]["msg"], errors=errors)
    year = read_year(data.year)[0].code
    # One writer per key at a time, so that two posts cannot both make version N + 1.
    await lock_until_commit(
        session, "soko.api.specification", procedure.id, year, subject.subject, data.grade
    )
    latest = await latest_specification(session, procedure.id, year, subject.subject, data.grade)
    if latest is not None and _same(latest, data):
        return latest, False
    row = AssessmentSpecification(
        procedure_id=procedure.id,
        year=year,
        subject=subject.subject,
        grade=data.grade,
        version=latest.row.version + 1 if latest else 1,
        mark_scale=[step.model_dump() for step in sorted(data.mark_scale, key=lambda s: s.mark)],
        source=data.source or None,
    )
    session.add(row)
    await session.flush()
    tasks = [
        AssessmentTask(
            specification_id=row.id,
            number=task_number(task.number) or task.number,
            position=position,
            max_score=task.max_score,
            level=task.level,
            skill=task.skill or None,
        )
        for position, task in enumerate(data.tasks)
    ]
    session.add_all(tasks)
    await session.flush()
    await session.refresh(row)
    return Specification(row, procedure.code, tasks), True


async def create_specification(
    session: AsyncSession, principal: Principal, data: SpecificationCreate
) -> tuple[SpecificationRead, bool]:
    """`store_specification` for an administrator (else Forbidden, 403)."""
    admin_only(principal)
    spec, created = await store_specification(session, data)
    return spec.read(), created


@dataclass
class SpecificationFilter:
    procedure: str | None = None
    year: str | None = None
    subject: str | None = None
    grade: int | None = None
    all_versions: bool = False


async def list_specifications(
    session: AsyncSession, page: Pagination, filters: SpecificationFilter
) -> tuple[list[SpecificationRead], int]:
    """The latest version of each key (every version with `all_versions`), by procedure,
    year, subject, grade and version."""
    s, p = AssessmentSpecification, AssessmentProcedure
    query = select(s, p.code).join(p, p.id == s.procedure_id)
    if not filters.all_versions:
        query = query.where(s.version == _newest_version())
    if filters.procedure is not None:
        query = query.where(p.code == filters.procedure)
    if filters.year is not None:
        query = query.where(s.year == (year_code(filters.year) or filters.year))
    if filters.subject is not None:
        query = query.where(func.lower(s.subject) == filters.subject.strip().lower())
    if filters.grade is not None:
        query = query.where(s.grade == filters.grade)
    query = query.order_by(p.code, s.year, s.subject, s.grade, s.version)
    rows, total = await paginate(session, query, page, whole_rows=True)
    specs = await _with_tasks(session, [(row, code) for row, code in rows])
    return [spec.read() for spec in specs], total


# --- the specifications Soko ships -------------------------------------------------------------


def shipped_specifications() -> list[SpecificationCreate]:
    """Every specification of the data files (`data/*.json`: {"specifications": [...]}, each
    with its `source`; what each was checked against is said in the file)."""
    specs = []
    for path in sorted(DATA.glob("*.json")):
        for item in json.loads(path.read_text(encoding="utf-8"))["specifications"]:
            fields = {k: v for k, v in item.items() if k in SpecificationCreate.model_fields}
            specs.append(SpecificationCreate.model_validate(fields))
    return specs


async def sync_specifications(session: AsyncSession) -> int:
    """Add the shipped specifications whose key has none yet (as version 1); how many.

    A key already stored is left alone: a changed data file becomes a new version only when
    someone posts it, so that no school's participants change under them."""
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtext('soko.api.tasks'))"))
    s, p = AssessmentSpecification, AssessmentProcedure
    known = {
        (code, year, subject.casefold(), grade)
        for code, year, subject, grade in await session.execute(
            select(p.code, s.year, s.subject, s.grade).join(p, p.id == s.procedure_id)
        )
    }
    added = 0
    for spec in shipped_specifications():
        key = (spec.procedure, year_code(spec.year), spec.subject.casefold(), spec.grade)
        if key not in known:
            await store_specification(session, spec)
            known.add(key)
            added += 1
    return added
