"""The PD programme catalogue, the PD order and individual routes over the API."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.reports.indicator_values.schemas import MissingInput
from shared.validation import CLEARABLE, UpdateSchema

ProgrammeCode = Annotated[
    str, Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
]
Competence = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[a-z][a-z0-9_]*$")]


def _distinct(values: list[str] | None) -> list[str] | None:
    return None if values is None else list(dict.fromkeys(values))


class PdProgrammeCreate(BaseModel):
    code: ProgrammeCode
    owner_territory_id: uuid.UUID | None = Field(
        default=None,
        description=(
            "Территория, чья это программа (предлагается ей и ниже); null — общий каталог "
            "(только администратор). Аналитику и методисту по умолчанию — их территория"
        ),
    )
    title: str = Field(min_length=1, max_length=1000)
    provider: str = Field(min_length=1, max_length=300)
    hours: int = Field(gt=0, le=2000, description="Объём программы, академических часов")
    competences: list[Competence] = Field(
        min_length=1,
        max_length=20,
        description="Коды компетенций диагностики, на которые она направлена",
    )
    format: str | None = Field(default=None, max_length=100)
    active: bool = True

    _distinct_competences = field_validator("competences")(_distinct)


class PdProgrammeUpdate(UpdateSchema):
    """Only the fields sent change; `format` may be cleared with null, the others may not."""

    code: ProgrammeCode | None = None
    title: str | None = Field(default=None, min_length=1, max_length=1000)
    provider: str | None = Field(default=None, min_length=1, max_length=300)
    hours: int | None = Field(default=None, gt=0, le=2000)
    competences: list[Competence] | None = Field(default=None, min_length=1, max_length=20)
    format: Annotated[str | None, CLEARABLE] = Field(default=None, max_length=100)
    active: bool | None = None

    _distinct_competences = field_validator("competences")(_distinct)


class PdProgrammeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    code: str
    owner_territory_id: uuid.UUID | None = Field(description="Владелец; null — общий каталог")
    title: str
    provider: str
    hours: int
    competences: list[str]
    format: str | None
    active: bool
    created_at: datetime
    updated_at: datetime


OrderWithheld = Literal["minimum", "campaign_open", "built_while_open", "surveys_unavailable"]


class OrderOrganizationSeats(BaseModel):
    organization_id: uuid.UUID | None = Field(
        description="null — «другие организации»: школы, места которых не показаны отдельно"
    )
    name: str | None
    seats: int


class OrderProgramme(BaseModel):
    code: str
    title: str
    provider: str
    hours: int
    seats: int = Field(description="Мест всего: педагогов, которым программа назначена")
    organizations: list[OrderOrganizationSeats]


class OrderOrganization(BaseModel):
    organization_id: uuid.UUID | None = Field(
        description="null — «другие организации»: школы, где диагностику прошли меньше "
        "педагогов, чем порог раскрытия (и свёрнутые вместе с ними), для тех, кто не видит "
        "персональные результаты"
    )
    name: str | None
    seats: int
    teachers: int = Field(description="Педагогов с индивидуальным маршрутом")


class OrderUncovered(BaseModel):
    competence: str
    title: str | None
    teachers: int = Field(description="Педагогов с дефицитом, для которого программы нет")


class PdOrderRead(BaseModel):
    territory_id: uuid.UUID
    period: str
    built_at: datetime | None = Field(description="Когда построены маршруты, из которых он собран")
    suppressed: bool = Field(
        default=False,
        description="План-заказ скрыт от тех, кто не видит персональные результаты "
        "(teachers, seats — null, списки пусты); почему — в reason",
    )
    reason: OrderWithheld | None = Field(
        default=None,
        description="minimum — диагностику прошли меньше педагогов, чем порог раскрытия; "
        "campaign_open — диагностика периода ещё идёт (или закрылась меньше минуты назад); "
        "built_while_open — построен до её закрытия, ждёт новой сборки методистом; "
        "surveys_unavailable — сервис анкетирования не ответил",
    )
    teachers: int | None
    seats: int | None
    programmes: list[OrderProgramme]
    organizations: list[OrderOrganization]
    uncovered: list[OrderUncovered]
    notes: list[str]
    missing_inputs: list[MissingInput]


class IndividualRouteRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    staff_id: uuid.UUID
    full_name: str
    organization_id: uuid.UUID
    territory_id: uuid.UUID
    period: str
    deficits: list[dict[str, Any]] = Field(
        description="Дефициты по приоритету: сначала наименьшая доля от максимума"
    )
    steps: list[dict[str, Any]] = Field(
        description="Шаги: программа (или null и примечание), компетенции, наставник"
    )
    built_at: datetime
