"""The lock an approval puts on data values: a write that would add or change an approved
value is refused whole (409), naming each approval once and each refused row briefly
(`collections.approvals` gives and takes approvals back).

While an approval stands (any level), every value of the collection's indicators of that
organization and period is locked. The check reads the write's rows from the table the import
staged them in (`data_values.service`), so they are not sent again.
"""

import functools
import uuid
from collections.abc import Sequence
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import TextClause

from shared.errors import Conflict
from shared.settings import get_settings
from shared.templating import quoted, ru_moment, ru_plural


class ValueRow(Protocol):
    """A data value about to be written (`data_values.service.Valid`)."""

    index: int
    indicator_id: uuid.UUID
    organization_id: uuid.UUID
    period: str
    value: float


_LOCKED_SQL = """
    WITH input AS (
        SELECT index, indicator_id, organization_id, period, value FROM {staged}
    ), held AS (  -- an approval can neither be given nor taken back while this write runs
        SELECT a.* FROM api.collection_approval a
        WHERE (a.organization_id, a.period) IN (SELECT organization_id, period FROM input)
        FOR SHARE
    )
    SELECT i.index, c.id AS collection_id, c.name AS collection_name, a.organization_id,
           o.name AS organization_name, a.period, a.level, s.territory_id,
           t.name AS territory_name, s.actor_id, s.actor_name, s.at
    FROM input i
    JOIN held a
        ON a.organization_id = i.organization_id AND a.period = i.period
        AND a.status = 'approved'
    JOIN api.collection c ON c.id = a.collection_id AND i.indicator_id = ANY(c.indicator_ids)
    JOIN api.organization o ON o.id = a.organization_id
    LEFT JOIN api.data_value d
        ON d.indicator_id = i.indicator_id AND d.organization_id = i.organization_id
        AND d.period = i.period
    LEFT JOIN LATERAL (
        SELECT territory_id, actor_id, actor_name, at FROM api.collection_approval_step s
        WHERE s.collection_id = a.collection_id AND s.organization_id = a.organization_id
          AND s.period = a.period AND s.action = 'approve' AND s.level = a.level
        ORDER BY s.id DESC LIMIT 1
    ) s ON true
    LEFT JOIN api.territory t ON t.id = s.territory_id
    WHERE d.value IS DISTINCT FROM i.value
    ORDER BY i.index, c.name, c.id
    """


@functools.cache
def _locked_in(staged: str) -> TextClause:
    """The lock check reading its rows from a table of the session (constant SQL only)."""
    return text(_LOCKED_SQL.format(staged=staged))


def _approval_said(row: Any) -> str:
    # The time as the people of the territory read it (SOKO_TIMEZONE, «… МСК»), not UTC.
    at = ru_moment(row.at, ZoneInfo(get_settings().timezone))
    who = row.actor_name or row.actor_id or "—"
    return (
        f"данные {quoted(row.organization_name)} за {row.period} "
        f"по сбору {quoted(row.collection_name)} "
        f"утверждены: {row.territory_name or '—'}, {who}, {at}"
    )


# What each refused row says: the approval itself is said once, in the problem's `detail` and
# `approvals`; a file of 10 000 rows would otherwise repeat it 10 000 times.
LOCKED_ROW = "Значение утверждено — изменить его можно после отзыва утверждения"
# The approvals the detail names one by one; the rest are counted (all are in `approvals`).
_NAMED = 3


def _approvals_said(firsts: Sequence[Any]) -> str:
    said = "; ".join(_approval_said(row) for row in firsts[:_NAMED])
    more = len(firsts) - _NAMED
    if more <= 0:
        return said
    return f"{said} и ещё {more} {ru_plural(more, 'утверждение', 'утверждения', 'утверждений')}"


async def refuse_locked_changes(
    session: AsyncSession, rows: Sequence[ValueRow], *, staged: str
) -> None:
    """Refuse a write of data values (409, nothing written) when one of `rows` would add or
    change a value locked by an approval: an indicator of a collection whose data of that
    organization and period are approved at some level. A row with the stored value is no
    change and passes. `staged` names a table of the session holding the very `rows` as
    (index, indicator_id, organization_id, period, value): the import's copy, read instead
    of the rows being sent again. The approvals of the rows' organizations and periods are
    held (FOR SHARE) until the write commits, so none is given or taken back meanwhile. The
    problem names each approval once (who, at which level, when) in `detail` and
    `approvals`; each refused row is one item of `errors`, however many approvals lock it,
    saying only that it is approved (`loc`: ["values", index, "value"], the index as the
    import summary counts rows; `approval`: the position in `approvals` of the first approval
    locking it; `approvals`: the positions of every one, each once, rising). One query."""
    if not rows:
        return
    found = (await session.execute(_locked_in(staged))).all()
    if not found:
        return
    approvals: dict[tuple[Any, ...], int] = {}  # an approval's key: its position
    firsts: list[Any] = []  # the first row of each approval, in that order
    locking: dict[int, list[int]] = {}  # a refused row's index: its approvals' positions
    for row in found:
        key = (row.collection_id, row.organization_id, row.period)
        if key not in approvals:
            approvals[key] = len(firsts)
            firsts.append(row)
        locking.setdefault(row.index, []).append(approvals[key])
    # One error per refused row, however many approvals lock it (two collections asking the
    # same indicator): `approval` the first, `approvals` every one, each once.
    errors = [
        {
            "loc": ["values", index, "value"],
            "msg": LOCKED_ROW,
            "approval": min(positions),
            "approvals": sorted(set(positions)),
        }
        for index, positions in locking.items()
    ]
    raise Conflict(
        f"Значения закрыты для изменений: {_approvals_said(firsts)}. "
        "Изменить их можно после отзыва утверждения.",
        errors=errors,
        approvals=[
            {
                "collection_id": str(row.collection_id),
                "collection_name": row.collection_name,
                "organization_id": str(row.organization_id),
                "period": row.period,
                "level": row.level,
                "territory_id": str(row.territory_id) if row.territory_id else None,
                "approved_by": row.actor_id,
                "approved_by_name": row.actor_name,
                "approved_at": row.at.isoformat() if row.at else None,
            }
            for row in firsts
        ],
    )
