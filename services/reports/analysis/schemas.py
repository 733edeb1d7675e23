"""The answers of /v1/analysis/… (named as the OpenAPI components clients rely on)."""

import uuid
from typing import Any, Literal

from pydantic import BaseModel, Field

# ---- low-results schools, social context, resilient schools (analysis/low_results.py,
# context.py, resilient.py) ------------------------------------------------------------------

ContextGroup = Literal["unfavourable", "middle", "favourable"]


class LowResultsPaper(BaseModel):
    """A paper of a year in which the school is in the territory's lowest group."""

    procedure: str = Field(description="Код процедуры: vpr, oge, ege…")
    subject: str
    grade: int
    year: str
    criterion: Literal["mark_2_share", "bottom_share"] = Field(
        description="mark_2_share: доля «2» выше порога; bottom_share: средний процент "
        "выполнения не выше перцентиля территории"
    )
    value: float = Field(description="Доля «2» или средний процент выполнения, %")
    threshold: float = Field(description="Порог (доля «2») или перцентиль территории, %")


class LowResultsItem(BaseModel):
    organization_id: uuid.UUID
    years: list[str] = Field(description="Годы подряд, в каждом из которых школа в низшей группе")
    procedures: list[LowResultsPaper]


class LowResultsRead(BaseModel):
    """ШНОР of a territory in a year."""

    territory_id: uuid.UUID
    year: str
    items: list[LowResultsItem]
    notes: list[str]
    thresholds: dict[str, float]


class ContextComponentValue(BaseModel):
    value: float | None = Field(description="Значение: %, или 1/0 для признака")
    standardised: float | None = Field(
        description="z-оценка по школам территории (до учёта направления компонента)"
    )


class ContextItem(BaseModel):
    organization_id: uuid.UUID
    index: float | None = Field(description="Индекс социального благополучия (ИСБШ), в SD")
    group: ContextGroup | None = Field(description="unfavourable = ШНСУ")
    components: dict[str, ContextComponentValue]
    missing: list[str] = Field(description="Компоненты, которых нет у школы: индекса нет")


class ContextComponent(BaseModel):
    code: str
    name: str
    weight: float
    direction: Literal["favourable", "unfavourable"]


class ContextRead(BaseModel):
    """The social context index of a territory's schools and its groups."""

    territory_id: uuid.UUID
    year: str | None = None
    items: list[ContextItem]
    components: list[ContextComponent]
    notes: list[str]
    thresholds: dict[str, float]


class ResilientItem(BaseModel):
    organization_id: uuid.UUID
    index: float
    result: float = Field(description="Средний процент выполнения работ года, %")
    residual: float | None = Field(description="Результат минус линия регрессии по индексу, п.п.")
    group: ContextGroup | None
    resilient: bool


class ResilientRead(BaseModel):
    """Resilient schools of a territory in a year."""

    territory_id: uuid.UUID
    year: str
    items: list[ResilientItem]
    notes: list[str]
    thresholds: dict[str, float]


# ---- end of low-results, context, resilient ------------------------------------------------


# ---- objectivity signs and task completion (analysis/objectivity.py, analysis/tasks.py) ----

SignCode = Literal[
    "boundary_spike", "inverted_profile", "not_confirmed_by_gia", "journal_mismatch", "sudden_rise"
]


class ObjectivitySign(BaseModel):
    code: SignCode
    evidence: dict[str, Any] = Field(
        description=(
            "Что показывает признак: boundary_spike {score, mark, count_at, count_below, "
            "count_above}; inverted_profile {basic, advanced, high (%), correlation}; "
            "not_confirmed_by_gia {vpr_quality, vpr_rank, exam, exam_year, exam_subject, "
            "exam_quality, exam_rank}; journal_mismatch {lowered, confirmed, raised, share}; "
            "sudden_rise {completion, previous_completion, rise, territory_rise}"
        )
    )


class ObjectivityItem(BaseModel):
    organization_id: uuid.UUID
    procedure: str = Field(description="Код процедуры: vpr, oge, …")
    subject: str
    grade: int
    year: str
    participants: int | None
    signs: list[ObjectivitySign]
    risk: Literal["none", "low", "high"] = Field(description="По числу признаков")


class ObjectivityRead(BaseModel):
    territory_id: uuid.UUID
    year: str
    items: list[ObjectivityItem]
    notes: list[str]
    thresholds: dict[str, float]


class TaskCompletion(BaseModel):
    number: str = Field(description="Номер задания, как напечатан: 1, 3.1, 1К1")
    level: str | None = Field(description="basic, advanced, high")
    skill: str | None
    max_score: int
    completion: float = Field(description="Выполнение в школе, % (0–100)")
    territory_completion: float = Field(description="Выполнение по территории (суммарно), %")


class TaskProfile(BaseModel):
    organization_id: uuid.UUID
    procedure: str
    subject: str
    grade: int
    year: str
    participants: int
    specification_id: uuid.UUID
    tasks: list[TaskCompletion]


class TaskCompletionRead(BaseModel):
    territory_id: uuid.UUID
    year: str
    items: list[TaskProfile]
    notes: list[str]
    thresholds: dict[str, float]


# ---- end of objectivity signs and task completion ----
