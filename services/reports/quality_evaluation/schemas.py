"""НОК УООД over the API."""

import uuid

from pydantic import BaseModel, Field

from services.reports.indicator_values.schemas import MissingInput


class NokOrganization(BaseModel):
    organization_id: uuid.UUID
    name: str
    k1: float | None = Field(description="Открытость и доступность информации")
    k2: float | None = Field(description="Комфортность условий")
    k3: float | None = Field(description="Доступность услуг для инвалидов")
    k4: float | None = Field(description="Доброжелательность и вежливость работников")
    k5: float | None = Field(description="Удовлетворённость условиями")
    total: float | None = Field(description="Sn: среднее пяти критериев; пусто без всех пяти")
    rank: int | None = Field(description="Место в территории по Sn (равные делят место)")
    indicators: dict[str, float | None] = Field(description="Показатели П, из которых собраны К")
    inputs: dict[str, float] = Field(
        description="Счётчики: respondents, ответы «да» по вопросам, данные экспертной проверки"
    )
    notes: list[str] = Field(description="Чего нет в данных и как это учтено")


class NokRead(BaseModel):
    territory_id: uuid.UUID
    period: str
    total: float | None = Field(description="Среднее Sn организаций территории")
    organizations_ranked: int
    organizations: list[NokOrganization]
    notes: list[str]
    missing_inputs: list[MissingInput]
    source: str
