"""Responses: an answer as a client submits it and what it is told back."""

import uuid
from typing import Any, Literal

from pydantic import BaseModel, Field

from services.surveys.instruments.definition import MAX_QUESTIONS


class ResponseIn(BaseModel):
    organization_id: uuid.UUID | None = None
    answers: dict[str, Any] = Field(max_length=MAX_QUESTIONS)
    staff_id: uuid.UUID | None = Field(
        default=None,
        description="Personal questionnaires only: the signed-in teacher's own (the default)",
    )
    draft: bool = Field(default=False, description="Save a draft (personal questionnaires)")


class ResponseCreated(BaseModel):
    id: uuid.UUID
    status: Literal["draft", "submitted"]
    channel: Literal["web", "paper"] = Field(
        description="paper: keyed in by an operator from a paper questionnaire"
    )
