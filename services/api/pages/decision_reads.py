"""What the decisions page shows, read from the reports service as the signed-in person (so it
shows exactly what `GET /v1/decisions` would answer them) and named from the api's own tables.

The page's period (the latest with decisions by default) and its links to the nearest periods
with decisions before and after it come from one answer, the periods that have decisions
(`GET /v1/decisions/periods`), walked here without another call; the decisions of the period
shown are one more call (none for a period without any). So a page asks the reports service
at most three times (the default period also needs the newest recommendations' period),
however many empty periods it steps over, where it asked once per period stepped over.
"""

import uuid
from contextlib import suppress
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.clients.models import DecisionWithEffect
from services.api.clients.reports import ReportsClient
from services.api.indicators.models import Indicator
from services.api.pages.value_reads import unit_names
from shared.periods import Period, academic_year_of, parse_period
from shared.value_labels import FlagNote, flag_note

# How many periods the decisions page looks back for the latest with decisions, and away from
# the period shown for its neighbours.
DECISIONS_LOOKBACK = 4


@dataclass
class DecisionLine:
    decision: DecisionWithEffect
    indicator: str  # its name (the code when the indicator is gone)
    unit: str  # the indicator's unit
    scope: str  # the name of the territory or school the indicator's value is of

    @property
    def flag(self) -> FlagNote | None:
        """The mark of flagged data in the value after the decision (None: none, or no
        effect compared)."""
        e, d = self.decision.effect, self.decision
        if e is None:
            return None
        scope_type = d.scope_type or "territory"
        return flag_note(e.flagged, e.flagged_organizations, e.flagged_left_out, scope_type)


@dataclass
class DecisionsView:
    """The decisions of `period`'s recommendations with their effect in `compare`, and the
    nearest periods (codes) before and after `period` that have decisions (None: none)."""

    period: Period
    compare: Period
    found: list[DecisionWithEffect]
    before: str | None
    after: str | None


async def decisions_view(
    reports: ReportsClient,
    territory_id: uuid.UUID,
    period: Period | None,
    compare: Period | None,
    today: date,
) -> DecisionsView:
    """The territory's decisions of `period` (by default the latest recommendations' period
    with decisions: from the newest recommendations' period, the current academic year without
    any, back `DECISIONS_LOOKBACK` periods; none, that first period) compared with `compare`
    (the period after by default), and its neighbours (`_walk`). PeerUnavailable, NotFound,
    Forbidden or PeerRefused as the reports service answers."""
    decided = await reports.decided_periods(territory_id)
    if period is None:
        # Resolved ones too: a recommendation whose cause is gone keeps its decisions.
        newest, _ = await reports.recommendations(
            1, territory_id=territory_id, include_resolved="true"
        )
        start = academic_year_of(today)
        if newest:
            with suppress(ValueError):  # a stored period that no longer parses: this year's
                start = parse_period(newest[0].period)
        period = _walk(decided, start, "previous") or start
    compare = compare or period.next
    found: list[DecisionWithEffect] = []
    if period.code in decided:  # the reports service would answer none otherwise
        found = await reports.decisions(territory_id, period.code, compare.code)
    before, after = _neighbours(decided, period, today)
    return DecisionsView(period, compare, found, before, after)


def _walk(decided: set[str], first: Period, step: str, latest: date | None = None) -> Period | None:
    """The first period from `first` on, stepping by `step` ("previous" or "next"), among the
    `decided` codes; up to `DECISIONS_LOOKBACK` periods, none starting after `latest`; None
    when there is none."""
    period = first
    for _ in range(DECISIONS_LOOKBACK):
        if latest is not None and period.start > latest:
            return None
        if period.code in decided:
            return period
        try:
            period = getattr(period, step)
        except ValueError:  # before the earliest year a period may have, or after the last
            return None
    return None


def _neighbours(decided: set[str], period: Period, today: date) -> tuple[str | None, str | None]:
    """The nearest periods before and after `period` (of its kind) among the `decided` codes,
    each looked for up to `DECISIONS_LOOKBACK` steps away and never past today's academic
    year; None where there is none (the page links to no empty year)."""
    latest = academic_year_of(today).end
    codes: list[str | None] = []
    for step in ("previous", "next"):
        try:
            first = getattr(period, step)
        except ValueError:
            codes.append(None)
            continue
        found = _walk(decided, first, step, latest)
        codes.append(found.code if found else None)
    return codes[0], codes[1]


async def decision_lines(
    session: AsyncSession, found: list[DecisionWithEffect]
) -> list[DecisionLine]:
    """The decisions with their indicators' names and units and their scopes' names, newest
    first (two queries)."""
    codes = {d.indicator_code for d in found if d.indicator_code}
    rows = await session.execute(
        select(Indicator.code, Indicator.name, Indicator.unit).where(Indicator.code.in_(codes))
    )
    indicators = {code: (name, unit) for code, name, unit in rows}
    scopes = {(d.scope_type, d.scope_id) for d in found if d.scope_type and d.scope_id}
    names = await unit_names(session, scopes)  # type: ignore[arg-type]
    lines = []
    for d in sorted(found, key=lambda d: (d.decided_on, d.id), reverse=True):
        name, unit = indicators.get(d.indicator_code or "", (d.indicator_code or "—", "number"))
        lines.append(DecisionLine(d, name, unit, names.get(d.scope_id, "—") if d.scope_id else "—"))
    return lines
