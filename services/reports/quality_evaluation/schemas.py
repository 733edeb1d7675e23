"""НОК УООД over the API."""

import uuid

from pydantic import BaseModel, Field

from services.reports.indicator_values.schemas import MissingInput


class NokOrganization(BaseModel):
    organization_id: uuid.UUID
    name: str
    k1: float | None = Field(description="Openness and accessibility of information")
    k2: float | None = Field(description="Comfort of the conditions")
    k3: float | None = Field(description="Accessibility of services for the disabled")
    k4: float | None = Field(description="Friendliness and courtesy of the staff")
    k5: float | None = Field(description="Satisfaction with the conditions")
    total: float | None = Field(
        description="Sn: the mean of the five criteria; empty without all five"
    )
    rank: int | None = Field(description="Rank in the territory by Sn (ties share a rank)")
    indicators: dict[str, float | None] = Field(
        description="The indicators (П) the criteria (К) are built from"
    )
    inputs: dict[str, float] = Field(
        description="Counts: respondents, «да» (yes) answers per question, the expert check's data"
    )
    notes: list[str] = Field(description="What the data lacks and how that is handled")


class NokRead(BaseModel):
    territory_id: uuid.UUID
    period: str
    total: float | None = Field(description="The mean Sn of the territory's organizations")
    organizations_ranked: int
    organizations: list[NokOrganization]
    notes: list[str]
    missing_inputs: list[MissingInput]
    source: str
