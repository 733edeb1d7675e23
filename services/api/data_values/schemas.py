"""Data values: a bulk post, a value as read, and the many-at-once query of the reports service."""

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.api.data_values.service import MAX_ROWS
from shared.pagination import Page


class DataValuesIn(BaseModel):
    values: list[Any] = Field(
        max_length=MAX_ROWS,
        description="[{indicator_code, organization_id, period, value}], up to 10,000 a request",
    )


class DataValueRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    indicator_code: str
    organization_id: uuid.UUID
    period: str
    value: float
    source: str | None
    updated_at: datetime


class DataValuePage(Page[DataValueRead]):
    next_changed_since: datetime | None = Field(
        description="Send back as `changed_since` to get every value changed after this read "
        "(none is missed, some may come again: apply them by key). Null without "
        "`changed_since`."
    )
    next_after: str | None = Field(
        default=None,
        description="When more values follow within the moment `next_changed_since` names: "
        "send it back as `after` beside that `changed_since` (offset 0) to start past the "
        "last value of this page. Null when the next read starts at the moment itself.",
    )


class DataValuesQuery(BaseModel):
    indicator_codes: list[str] = Field(max_length=500)
    periods: list[str] = Field(max_length=50)
    organization_ids: list[uuid.UUID] | None = Field(
        default=None, max_length=5000, description="Empty (null): every organization of the region"
    )


class DataValueItem(BaseModel):
    indicator_code: str
    organization_id: uuid.UUID
    period: str
    value: float


class DataValueItems(BaseModel):
    items: list[DataValueItem]
