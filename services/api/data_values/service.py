"""Bulk data values: validate each row, store the valid ones in one statement, say what happened.

The same payload twice changes nothing (unchanged rows are not rewritten); concurrent posts of
the same rows cannot duplicate them (the key is the primary key, written with ON CONFLICT).
Each new or changed value is recorded in the audit log with its previous value, by the same
statement.
"""

import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.access import FIGURE_WRITERS
from services.api.audit import service as audit
from services.api.collections import locks
from services.api.data_values.models import IdempotencyKeys
from services.api.data_values.rows import (
    Checked,
    DataValueRow,
    IndicatorFacts,
    check_value,
    explain_refused_values,
    not_for_kind,
    parse_row,
    posted_note,
    refused_codes,
)
from services.api.data_values.sheet import SheetItem, from_cells
from services.api.data_values.sheet import columns as sheet_columns
from services.api.indicators.models import Indicator
from services.api.organizations.matching import resolve_names
from services.api.organizations.models import Organization
from services.api.outliers import service as outliers
from services.api.territories.scope import organization_territories
from services.api.validation import service as validation
from shared.bulk import (
    SHOWN_ROWS,
    Counts,
    Rejected,
    ScopedImporter,
    parse_rows,
    rejection,
    writer_source,
)
from shared.labels import organization_not_found
from shared.periods import Period, parse_period, read_period
from shared.scope import readable_organizations
from shared.settings import get_settings
from shared.spreadsheets import header_key
from shared.tabular import Cell
from shared.templating import quoted, ru_plural

MAX_ROWS = 10_000


@dataclass
class Valid:
    index: int
    indicator_id: uuid.UUID
    organization_id: uuid.UUID
    period: str
    value: float


@dataclass(frozen=True)
class Dates:
    """An organization's name and the days it opened and closed (None: open since always,
    still open), for the import's warning of a value of a period it was not open in."""

    name: str
    opened_on: date | None
    closed_on: date | None


async def _lookups(
    session: AsyncSession, rows: list[DataValueRow], more_codes: Iterable[str] = ()
) -> tuple[
    dict[str, IndicatorFacts],
    dict[uuid.UUID, frozenset[uuid.UUID]],
    dict[uuid.UUID, str],
    dict[uuid.UUID, Dates],
]:
    """The rows' indicators by code (and those of `more_codes`), their existing organizations
    with the territories each lies in (its own and every one above it), their kinds, and
    their names and open dates."""
    codes = {r.indicator_code for r in rows} | set(more_codes)
    found = await session.scalars(select(Indicator).where(Indicator.code.in_(codes)))
    indicators = {i.code: IndicatorFacts.of(i) for i in found}
    ids = {r.organization_id for r in rows}
    territories = await organization_territories(session, ids)
    query = select(
        Organization.id,
        Organization.kind,
        Organization.name,
        Organization.opened_on,
        Organization.closed_on,
    ).where(Organization.id.in_(ids))
    kinds, dates = {}, {}
    for id_, kind, name, opened_on, closed_on in await session.execute(query):
        kinds[id_] = kind
        dates[id_] = Dates(name, opened_on, closed_on)
    return indicators, territories, kinds, dates


def not_open_in(dates: Dates, period: Period, code: str) -> str | None:
    """A warning (Russian) when the organization was not open in `period` (read from the
    row's `code`, parsed once per code by the caller: 3 µs a row otherwise): closed before it
    began or opened after it ended, naming the day; None when it was open some day of it.
    The value is kept (history may be corrected), but no indicator of the period counts it,
    and the outlier checks do not compare it with its territory."""
    kept = (
        "значение принято, но в показатели периода и сравнение со школами территории "
        "не войдёт — проверьте период и даты организации"
    )
    if dates.closed_on is not None and dates.closed_on < period.start:
        return (
            f"{quoted(dates.name)} закрыта {dates.closed_on:%d.%m.%Y}, до начала периода «{code}» "
            f"({period.start:%d.%m.%Y}): {kept}"
        )
    if dates.opened_on is not None and dates.opened_on > period.end:
        return (
            f"{quoted(dates.name)} открыта {dates.opened_on:%d.%m.%Y}, после окончания периода "
            f"«{code}» ({period.end:%d.%m.%Y}): {kept}"
        )
    return None


def unknown_indicator(code: str, indicator: Checked | None) -> str:
    """Why a row's indicator takes no value: no indicator with this code (or another
    territory's own), or one whose values are not entered by organizations (computed from
    surveys, assessments or other indicators)."""
    if indicator is None:
        return f"нет показателя с кодом «{code}»"
    return (
        f"значения показателя «{code}» не вносятся организациями: он рассчитывается "
        "по анкетам, результатам оценки или другим показателям"
    )


def applies(indicator: Checked, territories: frozenset[uuid.UUID]) -> bool:
    """Does the indicator exist for an organization in these territories: one of the global
    catalogue, or the own indicator of one of them (another territory's is unknown there)."""
    owner = indicator.owner_territory_id
    return owner is None or owner in territories


# The previous value of a changed row: read in the statement's snapshot, which the upsert's
# own writes are not part of (a CTE's writes are seen by none of the statement's reads), and
# only for the rows updated (a CASE evaluates its subquery only where asked): new rows, most
# of a big import, cost no look-up.
_BEFORE = """CASE WHEN w.inserted THEN NULL ELSE (
        SELECT p.value FROM api.data_value p
        WHERE p.indicator_id = w.indicator_id AND p.organization_id = w.organization_id
          AND p.period = w.period) END"""
_AUDITED = audit.bulk_events(
    "data_value",
    entity_id="w.indicator_id || ':' || w.organization_id || ':' || w.period",
    changes=f"jsonb_build_object('value', jsonb_build_object('before', {_BEFORE}, "
    "'after', w.value))",
    rows="written w",
)
# The valid rows of one import, copied in (COPY: the fastest way in) before one INSERT reads
# them; a temporary table of the connection, emptied at the end of each transaction.
_STAGE = "import_data_value"
_STAGED = f"pg_temp.{_STAGE}"  # as the approvals' and outliers' statements read it
_STAGE_TABLE = text(
    f"""CREATE TEMPORARY TABLE IF NOT EXISTS {_STAGE} (
        index int NOT NULL, indicator_id uuid NOT NULL, organization_id uuid NOT NULL,
        period text NOT NULL, value float8 NOT NULL) ON COMMIT DELETE ROWS"""
)
# The rows the upsert wrote (new and changed values), noted by the upsert itself: the outlier
# checks recompute from them (`outliers.flag_imported`). A table the planner counts right
# (a temporary table never analyzed is estimated by its size), where `updated_at = now()` over
# `api.data_value` was estimated at a row or two and every later join planned as a loop.
_WRITTEN = "import_data_value_written"
_WRITTEN_STAGED = f"pg_temp.{_WRITTEN}"
_WRITTEN_TABLE = text(
    f"""CREATE TEMPORARY TABLE IF NOT EXISTS {_WRITTEN} (
        indicator_id uuid NOT NULL, organization_id uuid NOT NULL, period text NOT NULL,
        value float8 NOT NULL) ON COMMIT DELETE ROWS"""
)
# Rows are written in key order (ORDER BY): two imports of overlapping rows lock them in the
# same order and wait for each other instead of deadlocking.
_UPSERT = text(
    f"""
    WITH input AS (
        SELECT indicator_id, organization_id, period, value FROM pg_temp.{_STAGE}
    ), written AS (
        INSERT INTO api.data_value AS d (indicator_id, organization_id, period, value, source)
        SELECT indicator_id, organization_id, period, value, :source FROM input
        ORDER BY indicator_id, organization_id, period
        ON CONFLICT (indicator_id, organization_id, period) DO UPDATE
            SET value = EXCLUDED.value, source = EXCLUDED.source, updated_at = now()
            WHERE d.value IS DISTINCT FROM EXCLUDED.value
        RETURNING d.indicator_id, d.organization_id, d.period, d.value, (xmax = 0) AS inserted
    ), audited AS ({_AUDITED}
    ), noted AS (
        INSERT INTO pg_temp.{_WRITTEN} (indicator_id, organization_id, period, value)
        SELECT indicator_id, organization_id, period, value FROM written
    )
    SELECT count(*) FILTER (WHERE inserted) AS imported,
           count(*) FILTER (WHERE NOT inserted) AS updated
    FROM written
    """  # noqa: S608 - only constant SQL of this service is interpolated
)


async def _stage(session: AsyncSession, valid: list["Valid"]) -> None:
    """Copy the rows into the import's temporary table (emptied first, with the table of the
    rows written: a dry run's savepoint or an earlier import of the same transaction may have
    left rows), and count them for the planner (ANALYZE: the statements reading the copy
    join it with tables of many rows)."""
    await session.execute(_STAGE_TABLE)
    await session.execute(_WRITTEN_TABLE)
    await session.execute(text(f"TRUNCATE pg_temp.{_STAGE}, pg_temp.{_WRITTEN}"))
    connection = await (await session.connection()).get_raw_connection()
    await connection.driver_connection.copy_records_to_table(
        _STAGE,
        schema_name="pg_temp",
        records=[(r.index, r.indicator_id, r.organization_id, r.period, r.value) for r in valid],
    )
    await session.execute(text(f"ANALYZE pg_temp.{_STAGE}"))


# A period that ended more than this many years before today is likely a typo (1900/1901,
# 2002/2003 for 2022/2023): stored, but warned of.
LONG_PAST_YEARS = 10


def skipped_without_value(lines: list[int]) -> str:
    """The one notice of a file's rows left out for an empty value cell (nothing reported
    there: a template's row not filled in), naming the first SHOWN_ROWS of them."""
    count = len(lines)
    shown = ", ".join(str(line) for line in lines[:SHOWN_ROWS])
    more = count - SHOWN_ROWS
    rest = f" и ещё {more}" if more > 0 else ""
    rows = ru_plural(count, "строка", "строки", "строк")
    where = "строка" if count == 1 else "строки"
    left = ru_plural(count, "Пропущена", "Пропущены", "Пропущено")
    them = "по ней" if count == 1 else "по ним"
    return f"{left} {count} {rows} без значения ({where} {shown}{rest}): {them} ничего не сохранено"


def unlikely_periods(valid: Iterable["Valid"], today: date) -> list[str]:
    """A warning (Russian) per period of the valid rows that has not begun on `today` (the
    settings' day in SOKO_TIMEZONE) or ended more than LONG_PAST_YEARS years before it, with
    how many of the rows are of it: kept as posted (a dry run stores nothing either way), but
    «2030/2031» or «2002/2003» for «2020/2021» is a typo an analyst wants told of (and one
    stray long-past value would be every report's «previous period»)."""
    counts = Counter(row.period for row in valid)
    long_ago = today.replace(year=today.year - LONG_PAST_YEARS, day=min(today.day, 28))
    messages = []
    for code, count in sorted(counts.items()):
        period = parse_period(code)
        rows = f"{count} {ru_plural(count, 'строка', 'строки', 'строк')}"
        if period.start > today:
            messages.append(
                f"Период «{code}» ещё не начался (начнётся {period.start:%d.%m.%Y}): {rows} "
                "за него — проверьте, не опечатка ли это"
            )
        elif period.end < long_ago:
            messages.append(
                f"Период «{code}» закончился больше {LONG_PAST_YEARS} лет назад "
                f"({period.end:%d.%m.%Y}): {rows} за него — проверьте, не опечатка ли это"
            )
    return messages


class DataValueImporter(ScopedImporter):
    """The bulk import of data values (`shared.bulk.Importer`) for one caller's request."""

    writers = FIGURE_WRITERS
    field = "values"
    noun = "значений"
    max_rows = MAX_ROWS
    idempotency_keys = IdempotencyKeys
    required = {  # named by the headers the upload page's help and template give them
        "Показатель (код показателя)": ("indicator_code",),
        "Организация (или ID организации)": ("organization_id", "organization"),
        "Период": ("period",),
        "Значение": ("value",),
    }

    def columns(self, headers: list[str]) -> list[str | None]:
        """indicator_code (Код показателя), organization_id, or else organization (ОО, by
        name), period (Период), value (Значение); other columns are left out."""
        return sheet_columns([header_key(title) for title in headers])

    def from_spreadsheet(self, index: int, cells: dict[str, Cell]) -> SheetItem:
        """A file's row read from its typed cells (`services.api.data_values.sheet`)."""
        return from_cells(cells)

    async def validate(self, rows: list[tuple[int, Any]]) -> tuple[list[Valid], list[Rejected]]:
        """Each row on its own: a bad row is rejected with its reasons, the others go on."""
        parsed, rejected = parse_rows(rows, parse_row, DataValueRow)
        readable = await readable_organizations(self.principal, self.scopes)
        parsed = await self._named_organizations(parsed, rejected, readable)
        codes = refused_codes(rows, rejected).values()
        indicators, territories, kinds, dates = await _lookups(
            self.session, [r for _, r in parsed], codes
        )
        explain_refused_values(rows, rejected, indicators)
        unreported: list[int] = []  # a file's rows without a value
        periods: dict[str, tuple[Period, str | None] | None] = {}  # with how it was read
        unread: dict[str, str] = {}  # why a period is not one
        seen: dict[tuple[uuid.UUID, uuid.UUID, str], int] = {}
        valid = []

        def reject(index: int, field: str, message: str) -> None:
            rejected.append(rejection(index, field, message))

        # A posted row's value as sent: a plain number needs no note (the 10,000-row way).
        posted = {
            i: value
            for i, item in rows
            if type(item) is dict
            and (isinstance(value := item.get("value"), str) or value in (0, 1))
        }
        for index, row in parsed:
            indicator = indicators.get(row.indicator_code)
            if indicator is None or indicator.method != "data_value":
                reject(index, "indicator_code", unknown_indicator(row.indicator_code, indicator))
                continue
            chain = territories.get(row.organization_id)
            if chain is None or (readable is not None and row.organization_id not in readable):
                reject(index, "organization_id", organization_not_found())
                continue
            if not applies(indicator, chain):
                reject(index, "indicator_code", unknown_indicator(row.indicator_code, None))
                continue
            if (kind := kinds[row.organization_id]) not in indicator.applies_to:
                reject(index, "indicator_code", not_for_kind(indicator, kind))
                continue
            if row.period not in periods:
                try:  # «2024-2025» is 2024/2025, said (`read_period`)
                    periods[row.period] = read_period(row.period)
                except ValueError as exc:
                    periods[row.period] = None
                    unread[row.period] = str(exc)
            if (read_as := periods[row.period]) is None:  # every row of it told, not the first
                reject(index, "period", unread[row.period])
                continue
            period, period_note = read_as
            if period_note is not None:
                self.warn(index, "period", period_note)
            if row.value is None:  # a file's row without a value: not reported, skipped
                unreported.append(index)
                continue
            value, problem = check_value(indicator, row)
            if problem:
                # A rejected row is told how its text was read too, as a file's row is
                # («передано текстом «1 234,5» — прочитано как 1234,5»: then «больше 100»).
                read = type(row.value) in (int, float) and index in posted
                if read and (note := posted_note(posted[index], float(row.value), indicator)):
                    self.warn(index, "value", note)
                reject(index, "value", problem)
                continue
            if index in posted and (note := posted_note(posted[index], value, indicator)):
                self.warn(index, "value", note)
            key = (indicator.id, row.organization_id, period.code)
            if key in seen:
                reject(index, "indicator_code", f"повтор строки {seen[key]}")
                continue
            seen[key] = index
            if note := not_open_in(dates[row.organization_id], period, period.code):
                self.warn(index, "period", note)
            valid.append(Valid(index, indicator.id, row.organization_id, period.code, value))
        for index, item in rows:  # a rejected row is told what was reinterpreted too
            for field, note in item.notes if isinstance(item, SheetItem) else ():
                self.warn(index, field, note)
        for message in unlikely_periods(valid, get_settings().today()):
            self.warn(None, "period", message)
        if unreported:
            self.warn(None, "value", skipped_without_value(unreported))
        return await validation.screen_import(self.session, valid, rejected), rejected

    async def _named_organizations(
        self,
        parsed: list[tuple[int, DataValueRow]],
        rejected: list[Rejected],
        readable: frozenset[uuid.UUID] | None,
    ) -> list[tuple[int, DataValueRow]]:
        """Rows that name their organization get its id when the name is the caller's one
        organization's name or short name; otherwise they are rejected (none, or the
        candidates named)."""
        named = {
            index: row.organization
            for index, row in parsed
            if row.organization_id is None and row.organization
        }
        ids, reasons, notes = await resolve_names(self.session, named, readable)
        for index, note in notes.items():
            self.warn(index, "organization", note)
        for index, reason in reasons.items():
            rejected.append(rejection(index, "organization", reason))
        return [
            (index, replace(row, organization_id=ids[index]) if index in ids else row)
            for index, row in parsed
            if index not in reasons
        ]

    async def store(self, session: AsyncSession, valid: list[Valid]) -> Counts:
        """The rows copied in (`_stage`, which the statements below read instead of being
        sent the rows again); nothing when a row would change a value locked by an approval
        (409 naming it, `collections.locks`); else one statement: new and changed values,
        and their audit events; then the outlier checks of the batch (flags recomputed,
        flagged rows warned of) and the validation rules' current violations of what it
        touched (both read as stored when no value changed)."""
        await _stage(session, valid)
        await locks.refuse_locked_changes(session, valid, staged=_STAGED)
        result = await session.execute(
            _UPSERT, {"source": writer_source(self.principal), **audit.actor(self.principal)}
        )
        counts = result.one()
        written = bool(counts.imported or counts.updated)
        await outliers.flag_imported(
            session,
            valid,
            self.warn,
            written=written,
            staged=(_STAGED, _WRITTEN_STAGED),
        )
        violations = await validation.refresh_import(session, valid, written=written)
        self.violations().extend(violations)
        return Counts(counts.imported, counts.updated)
