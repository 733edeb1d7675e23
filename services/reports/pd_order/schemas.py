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
            "The territory whose programme this is (offered to it and below); null: the common "
            "catalogue (administrators only). The analyst's or methodologist's by default"
        ),
    )
    title: str = Field(min_length=1, max_length=1000)
    provider: str = Field(min_length=1, max_length=300)
    hours: int = Field(gt=0, le=2000, description="The programme's length, academic hours")
    competences: list[Competence] = Field(
        min_length=1,
        max_length=20,
        description="Codes of the diagnostic's competences it is aimed at",
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
    owner_territory_id: uuid.UUID | None = Field(
        description="The owner; null: the common catalogue"
    )
    title: str
    provider: str
    hours: int
    competences: list[str]
    format: str | None
    active: bool
    created_at: datetime
    updated_at: datetime


OrderWithheld = Literal[
    "minimum", "difference", "campaign_open", "built_while_open", "surveys_unavailable"
]


class OrderOrganizationSeats(BaseModel):
    organization_id: uuid.UUID | None = Field(
        description="null: «другие организации» (other organizations), schools not shown apart"
    )
    name: str | None
    seats: int


class OrderProgramme(BaseModel):
    code: str
    title: str
    provider: str
    hours: int
    seats: int = Field(description="Seats in all: teachers the programme is assigned to")
    organizations: list[OrderOrganizationSeats]


class OrderOrganization(BaseModel):
    organization_id: uuid.UUID | None = Field(
        description="null: «другие организации» (other organizations), for readers who do "
        "not see personal results: schools where fewer teachers took the diagnostic than the "
        "disclosure minimum, or whose seats in a programme (or teachers with a route) would "
        "leave fewer than 2 of their diagnosed teachers on either side, and those folded in "
        "with them so that no difference gives them away"
    )
    name: str | None
    seats: int
    teachers: int = Field(description="Teachers with an individual route")


class OrderUncovered(BaseModel):
    competence: str
    title: str | None
    teachers: int = Field(description="Teachers with a deficit no programme addresses")


class PdOrderRead(BaseModel):
    territory_id: uuid.UUID
    period: str
    built_at: datetime | None = Field(description="When the routes it is gathered from were built")
    suppressed: bool = Field(
        default=False,
        description="The PD order is hidden from readers who do not see personal results "
        "(teachers, seats: null, lists empty); why: in reason",
    )
    reason: OrderWithheld | None = Field(
        default=None,
        description="minimum: fewer teachers took the diagnostic than the disclosure minimum; "
        "difference: the territory has been drawn or redrawn since the diagnostic's launch and "
        "one of its schools is folded (its order, with orders read before, would tell it); "
        "campaign_open: the period's diagnostic is still running (or closed less than a "
        "minute ago); built_while_open: built before it closed, awaiting a rebuild by a "
        "methodologist; surveys_unavailable: the surveys service did not answer",
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
        description="Deficits by priority: the smallest share of the maximum first"
    )
    steps: list[dict[str, Any]] = Field(
        description="Steps: a programme (or null and a note), competences, a mentor"
    )
    built_at: datetime
