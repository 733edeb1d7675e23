"""The data version over the API."""

from pydantic import BaseModel, Field


class DataVersion(BaseModel):
    version: str = Field(
        description="Непрозрачная строка: меняется при каждом отправленном ответе и каждом "
        "изменении кампаний и инструментов"
    )
