"""Users over the API. Passwords go in, never out."""

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.api.auth.passwords import MIN_PASSWORD_LENGTH
from shared.texts import EmailAddress, FilledText
from shared.validation import CLEARABLE, UpdateSchema

UserRole = Literal[
    "admin", "territory_analyst", "methodologist", "organization_leader", "teacher", "viewer"
]
UserScopeType = Literal["territory", "cluster", "organization"]


class UserCreate(BaseModel):
    email: EmailAddress
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=200)
    full_name: FilledText = Field(max_length=300)
    role: UserRole
    scope_type: UserScopeType | None = None
    scope_id: uuid.UUID | None = None
    staff_id: uuid.UUID | None = Field(
        default=None, description="For the teacher role: the staff member"
    )


class UserUpdate(UpdateSchema):
    full_name: FilledText | None = Field(default=None, max_length=300)
    role: UserRole | None = None
    scope_type: Annotated[UserScopeType | None, CLEARABLE] = None
    scope_id: Annotated[uuid.UUID | None, CLEARABLE] = None
    staff_id: Annotated[uuid.UUID | None, CLEARABLE] = None
    is_active: bool | None = None
    password: str | None = Field(default=None, min_length=MIN_PASSWORD_LENGTH, max_length=200)
    current_password: Annotated[str | None, CLEARABLE] = Field(
        default=None, max_length=200, description="Needed when users change their own password"
    )


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    full_name: str
    role: UserRole
    scope_type: UserScopeType | None
    scope_id: uuid.UUID | None
    staff_id: uuid.UUID | None
    is_active: bool
    last_login_at: datetime | None
    created_at: datetime
    updated_at: datetime
