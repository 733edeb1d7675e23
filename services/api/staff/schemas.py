"""Staff members over the API."""

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.texts import EmailAddress, HumanText
from shared.validation import CLEARABLE, UpdateSchema

Position = Literal["teacher", "leader", "deputy", "methodologist", "psychologist"]


class StaffCreate(BaseModel):
    full_name: HumanText = Field(max_length=300)
    position: Position
    subjects: list[str] = Field(default_factory=list, max_length=30)
    email: EmailAddress | None = None


class StaffUpdate(UpdateSchema):
    full_name: HumanText | None = Field(default=None, max_length=300)
    position: Position | None = None
    subjects: list[str] | None = Field(default=None, max_length=30)
    email: Annotated[EmailAddress | None, CLEARABLE] = None
    is_active: bool | None = None


class StaffRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    organization_id: uuid.UUID
    full_name: str
    position: Position
    subjects: list[str]
    email: str | None
    is_active: bool
    created_at: datetime
    updated_at: datetime
