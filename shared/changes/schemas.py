"""A batch of a change feed, as `GET /v1/changes` answers it and `ChangeFeedReader` reads it."""

from typing import Any, Literal

from pydantic import BaseModel, Field


class ChangeItem(BaseModel):
    """One change: the entity's key and its state now, or its deletion (`state` null)."""

    entity: str = Field(description="Имя сущности ленты: territory, data_value, answer_tally…")
    key: dict[str, Any] = Field(description='Ключ записи: {"id": …} или составной')
    op: Literal["upsert", "delete"]
    state: dict[str, Any] | None = Field(
        description="Текущее состояние записи (op = upsert) или null (op = delete)"
    )


class ChangeBatch(BaseModel):
    """Changes after the cursor, in commit order."""

    items: list[ChangeItem]
    cursor: str = Field(
        description="Непрозрачный курсор: передайте его в after, чтобы читать дальше"
    )
    has_more: bool = Field(description="Есть ли уже сейчас изменения после этой порции")
