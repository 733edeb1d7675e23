"""What a bulk import answers: how many rows were new, changed, unchanged, and which were not
taken and why (by their index in the request, or their row in the spreadsheet)."""

from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import Principal
from shared.context import client_address_var, request_id_var
from shared.errors import Invalid


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


async def run_import(
    session: AsyncSession,
    raw: list[Any],
    *,
    dry_run: bool,
    limit: int,
    field: str,
    what: str,
    validate: Callable[[ImportSummary], Awaitable[list[Any]]],
    store: Callable[[list[Any], ImportSummary], Awaitable[None]],
) -> ImportSummary:
    """Validate every row, store the valid part in one transaction, and say what happened.

    With `dry_run` the very same statement runs in a savepoint that is rolled back, so the
    summary says exactly what a real post would have done.
    """
    if len(raw) > limit:
        message = f"Не больше {limit} {what} за один запрос"
        raise Invalid(message, errors=[{"loc": ["body", field], "msg": message}])
    summary = ImportSummary(dry_run=dry_run)
    valid = await validate(summary)
    if dry_run:
        savepoint = await session.begin_nested()
        await store(valid, summary)
        await savepoint.rollback()
    else:
        await store(valid, summary)
    summary.rejected.sort(key=lambda r: r.index)
    return summary


def writer_params(principal: Principal) -> dict[str, Any]:
    """Who writes, for the source column and the audit events a bulk statement records."""
    return {
        "source": f"{principal.kind}:{principal.id}",
        "actor_kind": principal.kind,
        "actor_id": principal.id,
        "actor_role": principal.role.value,
        "via": principal.via,
        "request_id": request_id_var.get(),
        "address": client_address_var.get(),
    }


def count_written(summary: ImportSummary, rows: int, imported: int, updated: int) -> None:
    summary.imported += imported
    summary.updated += updated
    summary.unchanged += rows - imported - updated
