"""Validation rules and their current violations over the API."""

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.api.validation.expressions import MAX_LENGTH
from shared.texts import FilledText
from shared.validation import UpdateSchema

Operator = Literal["==", "!=", "<", "<=", ">", ">="]
Importance = Literal["high", "medium", "low"]
RuleAction = Literal["warn", "reject"]
EXPRESSION = (
    "Indicator codes (data_value indicators), numbers, + - * / and parentheses, "
    "e.g. `teachers_with_category / teachers_total * 100`"
)


class ValidationRuleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,79}$")
    owner_territory_id: uuid.UUID | None = Field(
        default=None,
        description="The territory whose rule this is (it applies to its organizations and "
        "below); null: a global rule (administrators only). An analyst's territory by default",
    )
    left: str = Field(min_length=1, max_length=MAX_LENGTH, description=EXPRESSION)
    operator: Operator
    right: str = Field(min_length=1, max_length=MAX_LENGTH, description=EXPRESSION)
    importance: Importance = "medium"
    message: FilledText = Field(max_length=1000, description="Shown when violated (Russian)")
    action: RuleAction = Field(
        default="warn",
        description="`warn`: the values are stored and the violation listed; `reject`: an "
        "import's rows of the indicators the rule reads, for the organization and period that "
        "would break it, are rejected",
    )
    active: bool = True


class ValidationRuleUpdate(UpdateSchema):
    model_config = ConfigDict(extra="forbid")

    left: str | None = Field(default=None, min_length=1, max_length=MAX_LENGTH)
    operator: Operator | None = None
    right: str | None = Field(default=None, min_length=1, max_length=MAX_LENGTH)
    importance: Importance | None = None
    message: FilledText | None = Field(default=None, max_length=1000)
    action: RuleAction | None = None
    active: bool | None = None


class ValidationRuleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    code: str
    owner_territory_id: uuid.UUID | None
    left: str
    operator: Operator
    right: str
    importance: Importance
    message: str
    action: RuleAction
    active: bool
    indicator_codes: list[str] = Field(description="The indicator codes both sides read")
    created_at: datetime
    updated_at: datetime


class ViolationRead(BaseModel):
    rule_id: uuid.UUID
    rule_code: str
    message: str
    importance: Importance
    action: RuleAction
    period: str
    left_value: float | None
    right_value: float | None
    detected_at: datetime


class OrganizationViolations(BaseModel):
    organization_id: uuid.UUID
    organization_name: str
    violations: list[ViolationRead]
