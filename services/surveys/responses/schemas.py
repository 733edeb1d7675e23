"""Responses: an answer as a client submits it and what it is told back."""

import uuid
from typing import Any, Literal

from pydantic import BaseModel, Field


class ResponseIn(BaseModel):
    organization_id: uuid.UUID | None = None
    answers: dict[str, Any] = Field(max_length=500)
    staff_id: uuid.UUID | None = Field(default=None, description="Только для персональных анкет")
    draft: bool = Field(default=False, description="Сохранить черновик (персональные анкеты)")


class ResponseCreated(BaseModel):
    id: uuid.UUID
    status: Literal["draft", "submitted"]
    channel: Literal["web", "paper"] = Field(
        description="paper: внесено оператором с бумажной анкеты"
    )
