"""Territories over the API."""

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.texts import HumanText
from shared.validation import CLEARABLE, UpdateSchema

TerritoryKind = Literal["region", "municipality"]


class TerritoryCreate(BaseModel):
    name: HumanText = Field(max_length=300)
    kind: TerritoryKind
    parent_id: uuid.UUID | None = None


class TerritoryUpdate(UpdateSchema):
    name: HumanText | None = Field(default=None, max_length=300)
    kind: TerritoryKind | None = None
    parent_id: Annotated[uuid.UUID | None, CLEARABLE] = None


class TerritoryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    kind: TerritoryKind
    parent_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
