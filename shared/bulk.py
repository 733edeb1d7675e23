"""What a bulk import answers: how many rows were new, changed, unchanged, and which were not
taken and why (by their index in the request, or their row in the spreadsheet)."""

from pydantic import BaseModel, Field, ValidationError


class RowError(BaseModel):
    loc: list[str | int]
    msg: str


class Rejected(BaseModel):
    index: int = Field(description="Номер строки в запросе, с 0; для файла — номер строки файла")
    errors: list[RowError]


class ImportSummary(BaseModel):
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejected] = Field(default_factory=list)
    dry_run: bool = False


def row_errors(exc: ValidationError) -> list[RowError]:
    return [RowError(loc=list(e["loc"]), msg=e["msg"]) for e in exc.errors()]


def reject(summary: ImportSummary, index: int, field: str, message: str) -> None:
    summary.rejected.append(Rejected(index=index, errors=[RowError(loc=[field], msg=message)]))
