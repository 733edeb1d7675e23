"""The data version over the API."""

from pydantic import BaseModel, Field


class DataVersion(BaseModel):
    version: str = Field(
        description="An opaque string: it changes with every change of the data "
        "the reports are computed from"
    )
