"""The documents' indicator values: the context a document is gathered in, the one call that
computes values, and the period a document shows when none is asked for."""

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.analysis.thresholds import Thresholds
from services.reports.clients.surveys import SurveysClient
from services.reports.documents.client import DocumentsApi
from services.reports.indicator_values import service as values_service
from shared.default_period import latest_thick, reporting_of
from shared.identity import Principal, ScopeType
from shared.periods import (
    Period,
    academic_year_of,
    parse_programme_period,
    reporting_period_of,
)
from shared.scope import ScopeResolver

EARLIER_PERIODS = 3  # the "over time" chart: the report's period and up to three before it
# How far back a document looks for the latest period with data when none is asked for:
# each computation gives a period and the one before it, so three cover six periods.
DATA_LOOKBACK = 3

Items = tuple[list[dict[str, Any]], list[dict[str, Any]]]


@dataclass
class Context:
    principal: Principal
    resolver: ScopeResolver
    api: DocumentsApi
    surveys: SurveysClient
    session: AsyncSession
    today: date
    minimum: int  # the disclosure minimum
    # The complex analysis' thresholds (the app's, `SOKO_ANALYSIS_…`).
    thresholds: Thresholds = field(default_factory=Thresholds)
    # The published view: only approved data values count (`approved_only=true`).
    approved_only: bool = False


async def compute_values(
    ctx: Context,
    scope_type: str,
    scope_id: uuid.UUID,
    period: Period,
    codes: list[str] | None,
    level: str = "all",
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Indicator values of a scope (and inside it) for a period, with the previous period's.

    The one place the documents get values from: the kept values of the scope when their
    inputs have not changed. As a reader without access to personal results sees them, for
    every caller: a document is printed and passed on (teachers' results of a group below
    the disclosure minimum are `insufficient_data`). `ctx.approved_only`: the published view
    (only approved data values count), else the working view.
    `codes` None: every indicator; an empty list: none (nothing to compute)."""
    if codes is not None and not codes:
        return [], []
    items, missing, _ = await values_service.scope_values(
        ctx.principal,
        ctx.resolver,
        ctx.session,
        ScopeType(scope_type),
        scope_id,
        period,
        codes=codes,
        level=level,
        public=True,
        thresholds=ctx.thresholds,
        approved_only=ctx.approved_only,
    )
    return items, missing


def report_period(asked: Period | None, default: str | None, today: date) -> Period:
    """The asked period, else the default (the roadmap's; for a programme's span the school year
    of its last day or of `today`, whichever is earlier: `reporting_period_of`), else the
    current academic year."""
    if asked is not None:
        return asked
    if default:
        try:
            return reporting_period_of(parse_programme_period(default), today)
        except ValueError:
            pass  # a stored period that no longer parses: fall back to today's
    return academic_year_of(today)


def periods_back(period: Period, count: int = EARLIER_PERIODS) -> list[Period]:
    """The period and up to `count` before it, oldest first."""
    periods, current = [period], period
    for _ in range(count):
        try:
            current = current.previous
        except ValueError:  # before the earliest year a period may have
            break
        periods.append(current)
    return periods[::-1]


def _with_value(items: list[dict[str, Any]], owner: tuple[str, uuid.UUID], field_name: str) -> int:
    """How many of the owner scope's indicators have a `field_name` (value, previous_value)."""
    return sum(i[field_name] is not None for i in items if _owns(i, owner))


def _owns(item: dict[str, Any], owner: tuple[str, uuid.UUID]) -> bool:
    return item["scope_type"] == owner[0] and str(item["scope_id"]) == str(owner[1])


async def latest_with_data(
    ctx: Context,
    owner: tuple[str, uuid.UUID],
    start: Period,
    codes: list[str] | None,
    level: str = "all",
) -> tuple[Period, list[dict[str, Any]], list[dict[str, Any]]]:
    """The latest period, from `start` back, in which the owner scope has a value of at least
    one of the codes and not under half as many as the period before
    (`shared.default_period.latest_thick`: a few values posted early for a new year do not hide the
    year everyone reported), with its values (as `compute_values` gives them). A value of the
    period before (`previous_value`) tells that one has data without computing it twice.
    Looks back up to 2 × DATA_LOOKBACK periods; with no value in any of them, `start` and its
    values."""

    async def read(period: Period) -> Items:
        return await compute_values(ctx, owner[0], owner[1], period, codes, level)

    def counts(found: Items) -> tuple[int, int, tuple[int, int] | None]:
        items = found[0]
        own = [i for i in items if _owns(i, owner) and i["value"] is not None]
        return (
            _with_value(items, owner, "value"),
            _with_value(items, owner, "previous_value"),
            reporting_of(i.get("coverage") for i in own),
        )

    period, (items, missing) = await latest_thick(start, read, counts, DATA_LOOKBACK)
    return period, items, missing
