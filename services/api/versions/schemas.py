"""The data version over the API."""

from pydantic import BaseModel, Field


class DataVersion(BaseModel):
    version: str = Field(
        description="Непрозрачная строка: меняется при каждом изменении данных, "
        "из которых считаются отчёты"
    )
