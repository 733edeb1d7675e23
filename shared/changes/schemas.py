"""A batch of a change feed, as `GET /v1/changes` answers it and `ChangeFeedReader` reads it."""

from typing import Any, Literal

from pydantic import BaseModel, Field


class ChangeItem(BaseModel):
    """One change: the entity's key and its state now, or its deletion (`state` null)."""

    entity: str = Field(description="The feed's entity name: territory, data_value, answer_tally…")
    key: dict[str, Any] = Field(description='The record\'s key: {"id": …} or a composite one')
    op: Literal["upsert", "delete"]
    state: dict[str, Any] | None = Field(
        description="The record's current state (op = upsert) or null (op = delete)"
    )


class ChangeBatch(BaseModel):
    """Changes after the cursor, in commit order."""

    items: list[ChangeItem]
    cursor: str = Field(description="An opaque cursor: pass it in after to read on")
    has_more: bool = Field(description="Whether there are changes after this batch already")
