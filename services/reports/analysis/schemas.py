"""The complex analysis over the API (OpenAPI components)."""

import uuid
from typing import Any, Literal

from pydantic import BaseModel, Field

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
