"""Computed indicator values, kept per period with validity.

The values of one indicator for every unit (organization, cluster, territory) of one scope,
as one view sees them, form a *run*, keyed (view, scope_type, scope_id, period,
indicator_code). `indicator_value_run` holds what the current values were computed from
(`inputs`: a hash of the feed cursors the indicator reads, the view and the disclosure
minimum) and when; `indicator_value` holds one row per unit with its answer item and its
validity [valid_from, valid_to). A recomputation closes only the rows whose item changed and
adds their new rows, so one school's change writes that school, its clusters and its
territories; the rows valid at a moment are the values as they were shown then (`as_of`).
A row replaced on the day it was computed is dropped instead: `as_of` reads the end of a day,
which never saw it, so a live campaign does not grow the history with every response.

Rows are never changed except to close them once (trigger of migration 0017): what was
shown on a date stays as it was.
"""

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Column,
    DateTime,
    Index,
    Table,
    Text,
    Uuid,
    bindparam,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import metadata

SCHEMA = "reports"
_KEY = ("view", "scope_type", "scope_id", "period", "indicator_code")

value_run = Table(
    "indicator_value_run",
    metadata,
    Column("view", Text, primary_key=True),
    Column("scope_type", Text, primary_key=True),
    Column("scope_id", Uuid, primary_key=True),
    Column("period", Text, primary_key=True),
    Column("indicator_code", Text, primary_key=True),
    Column("inputs", Text, nullable=False),
    Column("computed_at", DateTime(timezone=True), nullable=False),
    schema=SCHEMA,
)
indicator_value = Table(
    "indicator_value",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    *(Column(name, Uuid if name == "scope_id" else Text, nullable=False) for name in _KEY),
    Column("unit_type", Text, nullable=False),
    Column("unit_id", Uuid, nullable=False),
    Column("item", JSONB, nullable=False),
    Column("valid_from", DateTime(timezone=True), nullable=False),
    Column("valid_to", DateTime(timezone=True)),
    schema=SCHEMA,
)
Index(
    "uq_indicator_value_current",
    *(indicator_value.c[name] for name in (*_KEY, "unit_type", "unit_id")),
    unique=True,
    postgresql_where=indicator_value.c.valid_to.is_(None),
)
Index(
    "ix_indicator_value_history",
    *(indicator_value.c[name] for name in (*_KEY, "valid_from")),
)


@dataclass(frozen=True)
class RunKey:
    """Which values: whose view, of which scope, for which period (indicator codes apart)."""

    view: str
    scope_type: str
    scope_id: uuid.UUID
    period: str

    def lock_name(self, code: str) -> str:
        """The advisory lock serialising recomputations of one indicator's run."""
        run = f"{self.view}.{self.scope_type}.{self.scope_id}.{self.period}.{code}"
        return f"soko.reports.values.{run}"

    def params(self) -> dict[str, Any]:
        return {
            "view": self.view,
            "scope_type": self.scope_type,
            "scope_id": self.scope_id,
            "period": self.period,
        }


def inputs_hash(inputs: dict[str, Any]) -> str:
    """The hash a run's inputs are kept under."""
    canonical = json.dumps(inputs, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


_CODES = bindparam("codes", type_=ARRAY(Text))
_RUNS = text(
    "SELECT indicator_code, inputs, computed_at FROM reports.indicator_value_run "
    "WHERE view = :view AND scope_type = :scope_type AND scope_id = :scope_id "
    "AND period = :period AND indicator_code = ANY(:codes)"
).bindparams(_CODES)


async def runs(session: AsyncSession, key: RunKey, codes: Sequence[str]) -> dict[str, Any]:
    """The kept runs of these codes: code → row (`inputs`, `computed_at`)."""
    rows = await session.execute(_RUNS, {**key.params(), "codes": list(codes)})
    return {row.indicator_code: row for row in rows}


async def lock(session: AsyncSession, key: RunKey, codes: Sequence[str]) -> None:
    """Serialise recomputations of these runs until the transaction ends (codes in one order,
    so two callers never wait for each other in a circle)."""
    for code in sorted(codes):
        await session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:name, 0))"),
            {"name": key.lock_name(code)},
        )


async def try_lock(session: AsyncSession, key: RunKey, codes: Sequence[str]) -> bool:
    """`lock` without waiting: False when another transaction recomputes one of these runs."""
    for code in sorted(codes):
        taken = await session.scalar(
            text("SELECT pg_try_advisory_xact_lock(hashtextextended(:name, 0))"),
            {"name": key.lock_name(code)},
        )
        if not taken:
            return False
    return True


_CURRENT = text(
    "SELECT id, indicator_code, unit_type, unit_id, item FROM reports.indicator_value "
    "WHERE view = :view AND scope_type = :scope_type AND scope_id = :scope_id "
    "AND period = :period AND indicator_code = ANY(:codes) AND valid_to IS NULL"
).bindparams(_CODES)
_IDS = bindparam("ids", type_=ARRAY(BigInteger))
_SAME_DAY = (
    "(valid_from AT TIME ZONE :timezone)::date "
    "= (CAST(:now AS timestamptz) AT TIME ZONE :timezone)::date"
)
# A row replaced on the day it was computed was never valid at the end of a day: no `as_of`
# (the end of a day) can show it, so it is dropped rather than closed.
_DROP = text(
    f"DELETE FROM reports.indicator_value WHERE id = ANY(:ids) AND {_SAME_DAY}"  # noqa: S608
).bindparams(_IDS)
_CLOSE = text(
    f"UPDATE reports.indicator_value SET valid_to = :now WHERE id = ANY(:ids) AND NOT {_SAME_DAY}"  # noqa: S608
).bindparams(_IDS)
_ADD = text(
    """
    INSERT INTO reports.indicator_value
        (view, scope_type, scope_id, period, indicator_code, unit_type, unit_id, item,
         valid_from)
    SELECT :view, :scope_type, :scope_id, :period, u.code, u.unit_type, u.unit_id, u.item, :now
    FROM unnest(CAST(:codes AS text[]), CAST(:unit_types AS text[]), CAST(:unit_ids AS uuid[]),
                CAST(:items AS jsonb[])) AS u(code, unit_type, unit_id, item)
    """
).bindparams(
    _CODES,
    bindparam("unit_types", type_=ARRAY(Text)),
    bindparam("unit_ids", type_=ARRAY(Uuid)),
    bindparam("items", type_=ARRAY(Text)),
)
_RUN = text(
    """
    INSERT INTO reports.indicator_value_run
        (view, scope_type, scope_id, period, indicator_code, inputs, computed_at)
    SELECT :view, :scope_type, :scope_id, :period, code, inputs, :now
    FROM unnest(CAST(:codes AS text[]), CAST(:inputs AS text[])) AS r(code, inputs)
    ON CONFLICT (view, scope_type, scope_id, period, indicator_code)
    DO UPDATE SET inputs = excluded.inputs, computed_at = excluded.computed_at
    """
).bindparams(_CODES, bindparam("inputs", type_=ARRAY(Text)))


def as_json(item: dict[str, Any]) -> dict[str, Any]:
    """An answer item as JSON gives it back (ids and dates as strings)."""
    return json.loads(json.dumps(item, default=str))


async def keep(
    session: AsyncSession,
    key: RunKey,
    inputs: dict[str, str],
    items: list[dict[str, Any]],
    now: datetime,
    timezone: str,
) -> int:
    """Keep freshly computed items of the codes in `inputs` (code → inputs hash) as their
    current values: rows whose item changed (or whose unit is gone) are closed at `now` (or
    dropped when computed the same day in `timezone`: no end of a day saw them), new and
    changed ones added from `now`. Returns how many rows were added."""
    codes = sorted(inputs)
    fresh = {
        (i["indicator_code"], i["scope_type"], str(i["scope_id"])): as_json(i)
        for i in items
        if i["indicator_code"] in inputs
    }
    current = await session.execute(_CURRENT, {**key.params(), "codes": codes})
    closing, kept = [], set()
    for row in current:
        unit = (row.indicator_code, row.unit_type, str(row.unit_id))
        if fresh.get(unit) == row.item:
            kept.add(unit)
        else:
            closing.append(row.id)
    if closing:
        replaced = {"ids": closing, "now": now, "timezone": timezone}
        await session.execute(_DROP, replaced)
        await session.execute(_CLOSE, replaced)
    adding = [(unit, item) for unit, item in fresh.items() if unit not in kept]
    if adding:
        await session.execute(
            _ADD,
            {
                **key.params(),
                "now": now,
                "codes": [u[0] for u, _ in adding],
                "unit_types": [u[1] for u, _ in adding],
                "unit_ids": [uuid.UUID(u[2]) for u, _ in adding],
                "items": [json.dumps(item) for _, item in adding],
            },
        )
    await session.execute(
        _RUN, {**key.params(), "now": now, "codes": codes, "inputs": [inputs[c] for c in codes]}
    )
    return len(adding)


_ORDER = (
    "array_position(CAST(:codes AS text[]), indicator_code), "
    "array_position(ARRAY['territory', 'cluster', 'organization'], unit_type), "
    "CAST(unit_id AS text)"
)
_VALID = {
    "current": "valid_to IS NULL",
    "as_of": "valid_from <= :moment AND (valid_to IS NULL OR valid_to > :moment)",
}


def _select(columns: str, valid: str, order: bool) -> Any:
    """A query of kept items; every part is one of this module's constants."""
    statement = (
        f"SELECT {columns} FROM reports.indicator_value "  # noqa: S608 - constants only
        "WHERE view = :view AND scope_type = :scope_type AND scope_id = :scope_id "
        "AND period = :period AND indicator_code = ANY(:codes) "
        "AND (CAST(:level AS text) IS NULL OR unit_type = :level) "
        f"AND {_VALID[valid]}"
    )
    if order:
        statement += f" ORDER BY {_ORDER} OFFSET :offset LIMIT :limit"
    return text(statement).bindparams(_CODES)


async def page(
    session: AsyncSession,
    key: RunKey,
    codes: Sequence[str],
    level: str | None,
    offset: int,
    limit: int | None,
    moment: datetime | None = None,
) -> list[dict[str, Any]]:
    """Kept items of the codes (in that order, then territories, clusters, organizations by
    id), at one level (None: all), current or valid at `moment`, from `offset`, at most
    `limit` (None: all)."""
    valid = "current" if moment is None else "as_of"
    rows = await session.execute(
        _select("item", valid, order=True),
        {
            **key.params(),
            "codes": list(codes),
            "level": level,
            "offset": offset,
            "limit": limit,
            "moment": moment,
        },
    )
    return [row.item for row in rows]


async def count(
    session: AsyncSession,
    key: RunKey,
    codes: Sequence[str],
    level: str | None,
    moment: datetime,
) -> tuple[int, datetime | None]:
    """How many items were valid at `moment`, and when the latest of them was computed."""
    row = (
        await session.execute(
            _select("count(*) AS n, max(valid_from) AS at", "as_of", order=False),
            {**key.params(), "codes": list(codes), "level": level, "moment": moment},
        )
    ).one()
    return row.n, row.at
