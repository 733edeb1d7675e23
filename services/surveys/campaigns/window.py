"""A campaign's window: when it accepts answers (`status`: scheduled, open, closed; `window`:
that state with the opening and closing as people read them), and how it may lie.

Answers collected in the window are counted for its period (survey indicators read a
campaign's period), so a window that closes before its period begins would file today's
answers under a year yet to come; and a link open for years is a mistake, not a survey
(MAX_WINDOW_YEARS from its opening or from now). An opening far from its period (over a year
after it ends, or before it starts) is allowed, as keying in an old paper survey is a real
use, but said in the launch's warnings: it is also what a mistyped period looks like."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from services.surveys.campaigns.models import Campaign
from shared.db import utcnow
from shared.errors import Invalid
from shared.periods import Period
from shared.settings import get_settings
from shared.templating import ru_moment

MAX_WINDOW_YEARS = 2
Day = TypeVar("Day", date, datetime)


def status(campaign: Campaign, now: datetime | None = None) -> str:
    """scheduled (before `opens_at`), open, or closed (from `closes_at` on)."""
    now = now or datetime.now(UTC)
    if now < campaign.opens_at:
        return "scheduled"
    return "open" if now < campaign.closes_at else "closed"


@dataclass(frozen=True)
class Window:
    """When a campaign accepts answers, as people read it: its state and its opening and
    closing moments as «dd.mm.yyyy hh:mm МСК» in the service's time zone (SOKO_TIMEZONE),
    its offset from Moscow said as every page says it (`shared.templating.ru_moment`)."""

    state: str  # scheduled, open, closed
    opens: str
    closes: str


def window(campaign: Campaign, timezone: str, now: datetime | None = None) -> Window:
    """The campaign's `Window` in `timezone` (an IANA name, e.g. Europe/Moscow)."""
    zone = ZoneInfo(timezone)
    return Window(
        status(campaign, now),
        ru_moment(campaign.opens_at, zone),
        ru_moment(campaign.closes_at, zone),
    )


def _years_after(moment: Day, years: int) -> Day:
    """`moment` (a day or a moment) `years` later on the calendar, or earlier for negative
    `years` (29 February: 28 February then)."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28)


def _local_day(moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(get_settings().timezone)).date()


def check_window(
    opens_at: datetime, closes_at: datetime, period: Period | None = None, blame: str = "period"
) -> None:
    """Invalid (422) naming `closes_at` for a window that would stay open longer than
    MAX_WINDOW_YEARS years from its opening (or from now, for one opened in the past: a
    window backdated to when a past survey was held, closing soon, is no long link), naming
    `blame` (the field sent: `period`, or `closes_at` for a new closing alone) for one that
    closes before `period` (when given) begins."""
    start = max(opens_at, utcnow())
    if closes_at > _years_after(start, MAX_WINDOW_YEARS):
        raise Invalid.at(
            "closes_at",
            f"Кампания была бы открыта дольше {MAX_WINDOW_YEARS} лет (с "
            f"{_local_day(start):%d.%m.%Y} по {_local_day(closes_at):%d.%m.%Y}): проверьте дату "
            "закрытия",
        )
    if period is not None and _local_day(closes_at) < period.start:
        raise Invalid.at(
            blame,
            f"Кампания закрывается {_local_day(closes_at):%d.%m.%Y}, до начала периода "
            f"«{period.code}» ({period.start:%d.%m.%Y}): её ответы были бы засчитаны за период, "
            "который ещё не начался",
        )


def opening_warnings(opens_at: datetime, period: Period) -> list[str]:
    """Russian warnings for a launch, each starting with `period` (the field to check), when
    the opening's day (in SOKO_TIMEZONE) lies over a year after `period` ends or over a year
    before it starts: its answers count for that period's indicators, right for an old paper
    survey keyed in, wrong for a mistyped period. [] else. Said at a launch and for a change
    of the period (PATCH, allowed while no one has answered)."""
    opens = _local_day(opens_at)
    if opens > _years_after(period.end, 1):
        return [
            f"period: кампания открывается {opens:%d.%m.%Y}, больше чем через год после конца "
            f"периода «{period.code}» ({period.end:%d.%m.%Y}); её ответы будут засчитаны в "
            f"показатели периода «{period.code}». Если вносятся анкеты старого опроса, всё "
            "верно; если нет, проверьте период и дату открытия"
        ]
    if opens < _years_after(period.start, -1):
        return [
            f"period: кампания открывается {opens:%d.%m.%Y}, больше чем за год до начала "
            f"периода «{period.code}» ({period.start:%d.%m.%Y}); её ответы будут засчитаны в "
            f"показатели периода «{period.code}». Проверьте период и дату открытия"
        ]
    return []
