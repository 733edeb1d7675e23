"""Task specifications and participants' results over the API."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from services.api.assessments.schemas import Grade, ProcedureCode, SubjectName

Level = Literal["basic", "advanced", "high"]
Year = Annotated[str, StringConstraints(strip_whitespace=True, min_length=4, max_length=20)]


class TaskSpec(BaseModel):
    number: str = Field(
        min_length=1,
        max_length=20,
        description="Номер задания, как напечатан: «1», «3.1», «1К1» (критерий задания 1)",
    )
    max_score: int = Field(ge=1, le=100, description="Максимальный балл за задание")
    level: Level | None = Field(
        default=None, description="Уровень сложности; null — источник его не называет"
    )
    skill: str | None = Field(
        default=None, max_length=2000, description="Проверяемое умение или элемент содержания"
    )


class MarkStep(BaseModel):
    mark: int = Field(ge=2, le=5)
    min_score: int = Field(ge=0, le=1000, description="Наименьший первичный балл этой отметки")


class SpecificationCreate(BaseModel):
    procedure: ProcedureCode = Field(description="Код процедуры: vpr, oge, …")
    year: Year = Field(description="Учебный год 2025/2026 или календарный год 2026")
    subject: SubjectName
    grade: Grade
    tasks: list[TaskSpec] = Field(min_length=1, max_length=200)
    mark_scale: list[MarkStep] = Field(
        max_length=4,
        description="Отметки 2–5 с наименьшим баллом каждой; пусто — шкала неизвестна "
        "(тогда отметки участников не выводятся)",
    )
    source: str | None = Field(
        default=None, max_length=2000, description="Документы, по которым составлена спецификация"
    )


class SpecificationRead(BaseModel):
    id: uuid.UUID
    procedure: str
    year: str
    subject: str
    grade: int
    version: int
    tasks: list[TaskSpec]
    mark_scale: list[MarkStep]
    max_score: int = Field(description="Сумма максимальных баллов заданий")
    source: str | None
    created_at: datetime


class ParticipantsHeader(BaseModel):
    """Whose participants: one school, procedure, year, subject and grade."""

    organization_id: uuid.UUID
    procedure: ProcedureCode
    year: Year
    subject: SubjectName
    grade: Grade


class ParticipantsIn(ParticipantsHeader):
    """One school's participants in one procedure, year, subject and grade: the whole set
    (a re-post replaces it)."""

    participants: list[Any] = Field(
        min_length=1,
        max_length=2000,
        description='[{code, class_label, variant, task_scores: {"1": 1, …}, journal_mark}], '
        "до 2000 за запрос",
    )


class ParticipantScores(BaseModel):
    """A participant as stored: the code, scores by task in printed order, the total and the
    mark it gets on the specification's scale (null without a scale)."""

    code: str
    class_label: str | None
    variant: int | None
    task_scores: dict[str, int]
    total_score: int
    mark: int | None
    journal_mark: int | None


class ParticipantRead(ParticipantScores):
    updated_at: datetime


class ParticipantList(BaseModel):
    items: list[ParticipantRead]
    total: int


class TaskCompletion(BaseModel):
    number: str
    level: Level | None
    max_score: int
    completion: float = Field(
        description="Σ баллов / (максимальный балл × участники) × 100, от 0 до 100"
    )
    territory_completion: float | None = Field(
        default=None,
        description="То же по всем участникам территории группы (`territory_id`); только "
        "в /task-completion",
    )
    region_completion: float | None = Field(
        default=None,
        description="То же по всем участникам региона (`region_id`), если они переданы; "
        "только в /task-completion",
    )


class PaperRead(BaseModel):
    """The paper an aggregate over participants is of."""

    procedure: str
    year: str
    subject: str
    grade: int


class GroupedRead(PaperRead):
    """One group's participants under one specification version."""

    group_by: Literal["organization", "cluster", "territory"]
    group_id: uuid.UUID = Field(description="Организация, кластер или территория")
    specification_version: int
    participants: int


class CompletionRead(GroupedRead):
    """One group's completion of each task of one specification version, beside its
    territory's and its region's."""

    territory_id: uuid.UUID | None = Field(
        default=None, description="Территория группы: её муниципалитет (или она сама)"
    )
    region_id: uuid.UUID | None = Field(default=None, description="Регион этой территории")
    tasks: list[TaskCompletion]


class ScoreCount(BaseModel):
    score: int = Field(description="Первичный балл")
    participants: int


class DistributionRead(GroupedRead):
    """One group's participants per primary score under one specification version, with that
    version's maximum and mark scale (so a peak at a mark's minimum score shows)."""

    max_score: int = Field(description="Сумма максимальных баллов заданий")
    mark_scale: list[MarkStep]
    scores: list[ScoreCount] = Field(description="Баллы, которые кто-то получил, по возрастанию")


class ClassMarks(BaseModel):
    class_label: str | None = Field(description="Класс («5А»); null — не указан")
    participants: int
    marks: dict[str, int] = Field(
        description='Участники по отметкам {"2": n, "3": n, "4": n, "5": n}; без шкалы — нули'
    )
    lowered: int = Field(description="Отметка за работу ниже отметки по журналу")
    confirmed: int
    raised: int = Field(description="Отметка за работу выше отметки по журналу")


class MarksByClassRead(PaperRead):
    """One organization's marks per class."""

    organization_id: uuid.UUID
    participants: int
    classes: list[ClassMarks]
