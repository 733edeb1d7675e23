"""Outliers: min–max bounds as written and read, and the flags of a territory's values."""

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from shared.validation import Measure

Check = Literal["min_max", "territory_z", "history_z"]


class OutlierBoundIn(BaseModel):
    """The bound of one indicator for every organization (`organization_id` null: the
    indicator owner's) or for one (its territory's analysts'); at least one side."""

    indicator_code: str = Field(min_length=1, max_length=80)
    organization_id: uuid.UUID | None = Field(
        default=None, description="Null: the indicator's global bound, for every organization"
    )
    lower: Measure | None = Field(default=None, description="Values below it are flagged")
    upper: Measure | None = Field(default=None, description="Values above it are flagged")


class OutlierBoundRead(BaseModel):
    id: uuid.UUID
    indicator_code: str
    organization_id: uuid.UUID | None
    lower: float | None
    upper: float | None
    updated_at: datetime


class OutlierFlagRead(BaseModel):
    indicator_code: str
    check: Check = Field(
        description="min_max: outside the bound in force; territory_z: far from the territory's "
        "schools' values of the period; history_z: far from the organization's earlier periods"
    )
    value: float
    bound: float | None = Field(description="min_max: the bound the value crosses")
    median: float | None = Field(description="z checks: the median compared with")
    n: int | None = Field(description="z checks: values the median and score were taken over")
    score: float | None = Field(
        description="z checks: the modified z-score, 0.6745·(value − median)/MAD"
    )
    flagged_at: datetime


class OrganizationOutliers(BaseModel):
    organization_id: uuid.UUID
    organization_name: str
    flags: list[OutlierFlagRead]


class Outliers(BaseModel):
    territory_id: uuid.UUID
    period: str
    items: list[OrganizationOutliers] = Field(description="Organizations with a flagged value")
