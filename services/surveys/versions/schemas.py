"""The data version over the API."""

from pydantic import BaseModel, Field


class DataVersion(BaseModel):
    version: str = Field(
        description="An opaque string: it changes with every response submitted and every "
        "change of campaigns and instruments"
    )
