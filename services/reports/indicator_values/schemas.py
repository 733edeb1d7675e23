"""Indicator values over the API."""

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from shared.indicator_methods import Unit

Status = Literal["achieved", "not_achieved", "insufficient_data", "no_data", "no_target"]


class TargetRead(BaseModel):
    op: str
    value: float


class MissingInput(BaseModel):
    peer: str = Field(description="Сервис, который не ответил: api или surveys")
    input: str
    detail: str | None = None


class IndicatorValueRead(BaseModel):
    indicator_code: str
    indicator_name: str = Field(description="Название показателя")
    unit: Unit = Field(
        description="Единица: percent — проценты 0–100; boolean — да/нет (1/0) для "
        "организации и доля организаций с «да», проценты, для кластера и территории"
    )
    scope_type: Literal["organization", "cluster", "territory"]
    scope_id: uuid.UUID
    period: str
    value: float | None
    numerator: float | None
    denominator: float | None
    n: int | None = Field(description="Организаций, респондентов или участников")
    target: TargetRead | None
    status: Status = Field(
        description="achieved — цель достигнута, not_achieved — не достигнута, "
        "insufficient_data — данных меньше min_n, no_data — данных нет, no_target — значение "
        "есть, целевого значения нет"
    )
    previous_value: float | None
    change: float | None
    coverage: dict[str, Any] | None = Field(
        description="organizations, organizations_reporting, organizations_share "
        "или respondents, expected, response_rate, withheld (почему скрыты итоги части групп: "
        "campaign_open — опрос ещё идёт, minimum — меньше порога раскрытия, difference — "
        "скрыты, чтобы разность с другими не выдала малую группу)"
    )
    missing: list[str] = Field(description="Сервисы, без данных которых значение не посчитано")


class IndicatorValuePage(BaseModel):
    items: list[IndicatorValueRead]
    total: int
    missing_inputs: list[MissingInput]
    computed_at: datetime = Field(description="Когда значения были посчитаны")
    as_of: datetime | None = Field(
        description="Все изменения данных до этого момента учтены (UTC); пусто, пока данные "
        "не получены"
    )
    lag_seconds: float | None = Field(
        description="Насколько значения отстают от текущего момента, секунды (0: актуальны)"
    )
