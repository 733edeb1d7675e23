"""Bulk imports: one protocol and the one place that runs it.

An importer (data values, assessment results) says how to check rows and how to store the valid
ones; `run_import` runs it and builds the summary: how many rows were new, changed, unchanged,
and which were not taken and why (by their index in the request, or their row in the file).
The endpoints that run it, for a JSON body and for a spreadsheet, are in shared/bulk_http.py.
"""

import asyncio
import random
import uuid
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, Protocol, TypeVar

import asyncpg
from pydantic import BaseModel, Field, SerializerFunctionWrapHandler, model_serializer
from sqlalchemy import Table
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import rolled_back_when
from shared.errors import Invalid
from shared.identity import Principal, Role, require_roles
from shared.scope import ScopeResolver
from shared.tabular import Cell
from shared.templating import ru_plural

T = TypeVar("T")


class RowError(BaseModel):
    loc: list[str | int]
    msg: str


class Rejected(BaseModel):
    index: int = Field(
        description="The row's index in the request, from 0; for a file, the file's row number"
    )
    errors: list[RowError]


class Notice(BaseModel):
    """Something the import did that the sender should know: a column of the file it left
    out, a value it read otherwise than it is written (a percent-formatted cell, a year
    typed as a number)."""

    index: int | None = Field(
        description="The row number (as in rejected); null: about the whole file (a column, say)"
    )
    loc: list[str | int]
    msg: str
    also: list[int] = Field(
        default_factory=list,
        description="The other rows the very same notice is about (said once, at its first row "
        "`index`; the message ends by saying how many more); absent when there are none",
    )

    @model_serializer(mode="wrap")
    def _without_empty_also(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        shown = handler(self)
        if not shown.get("also"):
            shown.pop("also", None)
        return shown


class Violation(BaseModel):
    """A validation rule the stored values of one organization and period break (a `warn`
    rule; a `reject` rule's violation rejects the rows instead, see the api's validation)."""

    rule_code: str
    organization_id: uuid.UUID
    period: str
    message: str
    importance: str = Field(description="high, medium or low")
    left_value: float | None
    right_value: float | None


class ImportSummary(BaseModel):
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejected] = Field(default_factory=list)
    dry_run: bool = False
    warnings: list[Notice] = Field(
        default_factory=list,
        description="The file's columns skipped and values read otherwise than written",
    )
    violations: list[Violation] = Field(
        default_factory=list,
        description="Validation rules broken by the values of the organizations and periods "
        "the import stored (empty for imports without rules)",
    )


SHOWN_ROWS = 10  # rows a repeated notice names in its message; `also` holds every one


def said_once(notices: Sequence[Notice]) -> list[Notice]:
    """The notices in row order (the file's first), each said once: the same `loc` and `msg`
    of many rows (a school's name matched another way in each of its 4,800 rows, «да» read as
    1) is one notice at its first row, the others in `also` and counted in the message
    («… (также в строках 5, 6 и ещё 12)»)."""
    ordered = sorted(notices, key=lambda n: -1 if n.index is None else n.index)
    first: dict[tuple[str, str], Notice] = {}
    said: list[Notice] = []
    for notice in ordered:
        key = (repr(notice.loc), notice.msg)
        if notice.index is None or key not in first:
            said.append(notice.model_copy(update={"also": []}))
            if notice.index is not None:
                first[key] = said[-1]
        else:
            first[key].also.append(notice.index)
    for notice in said:
        if notice.also:
            shown = ", ".join(str(i) for i in notice.also[:SHOWN_ROWS])
            more = len(notice.also) - SHOWN_ROWS
            rest = f" и ещё в {more} {ru_plural(more, 'строке', 'строках', 'строках')}"
            rest = rest if more > 0 else ""
            where = "строке" if len(notice.also) == 1 else "строках"
            notice.msg = f"{notice.msg} (также в {where} {shown}{rest})"
    return said


class Counts(NamedTuple):
    """What one store wrote: rows inserted and rows changed (the rest were unchanged)."""

    imported: int
    updated: int


class Importer(Protocol):
    """What a bulk import of one kind of row provides; `run_import` does the rest.

    The importer is made for one request (it holds what its checks need: the session, the
    caller, their scope)."""

    principal: Principal
    writers: tuple[Role, ...]  # roles that may import (administrators and services always may)
    field: str  # the JSON body's list field, named by the 422 for too many rows
    noun: str  # what a row is, in the genitive plural of the message: "значений"
    max_rows: int  # rows one request may carry
    idempotency_keys: Table  # where a post's `Idempotency-Key` is kept (the service's table)
    # the columns a file must have: the header a file is expected to have (in full, as the
    # "не найдены столбцы" message names it) -> the fields any of which it may be
    required: dict[str, tuple[str, ...]]
    # a request is the whole set of something (one school's participants of one paper): all or
    # nothing — when any row is rejected nothing is stored or removed (`run_import`)
    whole_set: bool

    def columns(self, headers: list[str]) -> list[str | None]:
        """For each column of a file (its title as the file has it: matched as
        `shared.spreadsheets.header_key` gives it, echoed as written), the field it holds, or
        None for a column the import leaves out (warned of)."""
        ...

    def from_spreadsheet(self, index: int, cells: dict[str, Cell]) -> Any:
        """A file's row at line `index` ({field: non-empty typed cell}) as the row `validate`
        takes; what it reads otherwise than written it notes in `warnings()`, for a row it
        rejects as for one it stores."""
        ...

    def cell_fields(self, loc: list[str | int]) -> tuple[str, ...]:
        """The fields (`columns` values) whose file cell an error at `loc` is about, the
        first the file has being named in the message; none for an error about no cell."""
        ...

    def warnings(self) -> list[Notice]:
        """The notices of this import so far (the summary's `warnings`), appended to."""
        ...

    async def validate(self, rows: list[tuple[int, Any]]) -> tuple[list[Any], list[Rejected]]:
        """(index, row) pairs -> the valid rows, ready to store, and the rejected ones with
        every reason each was refused; a bad row never stops the others."""
        ...

    async def store(self, session: AsyncSession, valid: list[Any]) -> Counts:
        """Write the valid rows (at least one) in `session`, flushing only; what was written."""
        ...


class ScopedImporter:
    """A base for importers whose checks read the database within the caller's scope."""

    whole_set = False

    def __init__(self, session: AsyncSession, scopes: ScopeResolver, principal: Principal) -> None:
        self.session, self.scopes, self.principal = session, scopes, principal
        self._warnings: list[Notice] = []
        self._violations: list[Violation] = []

    def warnings(self) -> list[Notice]:
        return self._warnings

    def violations(self) -> list[Violation]:
        return self._violations

    def warn(self, index: int | None, field: str, message: str) -> None:
        """Note that row `index` (None: the file) was read otherwise than written."""
        self._warnings.append(Notice(index=index, loc=[field], msg=message))

    def cell_fields(self, loc: list[str | int]) -> tuple[str, ...]:
        """The error's field; an organization's id may come from its column of names."""
        if not loc:
            return ()
        return (str(loc[0]), "organization") if loc[0] == "organization_id" else (str(loc[0]),)


def rejection(index: int, field: str, message: str) -> Rejected:
    """Row `index` refused for one reason about `field`."""
    return Rejected(index=index, errors=[RowError(loc=[field], msg=message)])


def parse_rows(
    rows: Sequence[tuple[int, Any]], parse: Callable[[Any], T | list[RowError]], kind: type[T]
) -> tuple[list[tuple[int, T]], list[Rejected]]:
    """Each row's shape and types by `parse` (which returns a `kind` or its errors): the
    parsed rows with their index, and the rejected ones."""
    parsed: list[tuple[int, T]] = []
    rejected: list[Rejected] = []
    for index, item in rows:
        row = parse(item)
        if isinstance(row, kind):
            parsed.append((index, row))
        else:
            rejected.append(Rejected(index=index, errors=row))
    return parsed, rejected


def not_replaced(importer: Importer, rejected: int) -> Notice:
    """The notice of a whole set (`importer.whole_set`) not stored because `rejected` of its
    rows were refused, about the body's list field."""
    noun = importer.noun
    message = (
        f"Набор {noun} не заменён: отклонены строки ({rejected}). Набор принимается только "
        "целиком: ничего не сохранено и не удалено, сохранённое ранее осталось как было. "
        "Исправьте отклонённые строки и отправьте весь набор снова"
    )
    return Notice(index=None, loc=[importer.field], msg=message)


async def run_import(
    session: AsyncSession,
    importer: Importer,
    rows: list[tuple[int, Any]],
    *,
    dry_run: bool,
    refused: Sequence[Rejected] = (),
    empty: tuple[str, str] | None = None,
) -> ImportSummary:
    """Validate every row, store the valid part in one transaction, and say what happened.

    With `dry_run` the very same statement runs in a savepoint that is rolled back, so the
    summary says exactly what a real post would have done; `refused` are rows rejected before
    (a file's row wider than its header). An import of a whole set (`importer.whole_set`)
    with any row rejected stores and removes nothing: every count is 0 and `warnings` say
    why (`not_replaced`), the rejected rows as always. No row at all is said in `warnings`
    (`empty`: the field and the message; by default the body's list field). Raises Forbidden
    (403) for a caller who may not import, Invalid (422 naming the body's field) past
    `importer.max_rows` rows."""
    require_roles(importer.principal, *importer.writers)
    empty = empty or (
        importer.field,
        f"В запросе нет ни одной строки ({importer.field}): ничего не сохранено",
    )
    if len(rows) + len(refused) > importer.max_rows:
        message = f"Не больше {importer.max_rows} {importer.noun} за один запрос"
        raise Invalid.at(importer.field, message)
    if not rows and not refused:  # an export that broke is told, not answered "done"
        importer.warnings().append(Notice(index=None, loc=[empty[0]], msg=empty[1]))
    valid, rejected = await importer.validate(rows)
    rejected = [*refused, *rejected]
    counts = Counts(0, 0)
    if rejected and getattr(importer, "whole_set", False):
        importer.warnings().append(not_replaced(importer, len(rejected)))
        valid = []
    if valid:
        counts = await _stored(session, importer, valid, dry_run)
    return ImportSummary(
        imported=counts.imported,
        updated=counts.updated,
        unchanged=len(valid) - counts.imported - counts.updated,
        rejected=sorted(rejected, key=lambda r: r.index),
        dry_run=dry_run,
        warnings=said_once(importer.warnings()),
        # An importer may say which validation rules its stored rows break (data values do).
        violations=getattr(importer, "violations", list)() if valid else [],
    )


def writer_source(principal: Principal) -> str:
    """The `source` column of bulk-written rows: who wrote them, `kind:id`."""
    return f"{principal.kind}:{principal.id}"


DEADLOCK_ATTEMPTS = 3


async def _stored(
    session: AsyncSession, importer: Importer, valid: list[Any], dry_run: bool
) -> Counts:
    """`importer.store` in a savepoint, run again (up to DEADLOCK_ATTEMPTS times, after a short
    random pause) when PostgreSQL broke a deadlock with a concurrent writer by failing this
    one: the savepoint's writes and row locks are undone and the notices it added dropped, so
    the retry starts clean. Another failure, or the last attempt's, is raised as it is (the
    service answers a deadlock 503 with Retry-After, shared/outage.py)."""
    noticed = len(importer.warnings())
    for attempt in range(1, DEADLOCK_ATTEMPTS + 1):
        try:
            async with session.begin_nested(), rolled_back_when(session, dry_run):
                return await importer.store(session, valid)
        except DBAPIError as exc:
            if attempt == DEADLOCK_ATTEMPTS or not _deadlocked(exc):
                raise
            del importer.warnings()[noticed:]
            await asyncio.sleep(random.uniform(0.02, 0.1) * attempt)  # noqa: S311 - a jitter
    raise AssertionError("unreachable")


def _deadlocked(exc: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, asyncpg.DeadlockDetectedError):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False
