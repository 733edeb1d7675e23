"""A campaign's window: when it accepts answers (`status`: scheduled, open, closed; `window`:
that state with the opening and closing as people read them), and how it may lie.

Answers collected in the window are counted for its period (survey indicators read a
campaign's period), so a window that closes before its period begins would file today's
answers under a year yet to come; and a link open for years is a mistake, not a survey
(MAX_WINDOW_YEARS from its opening or from now). An opening far from its period (over a year
after it ends, or before it starts) is allowed, as keying in an old paper survey is a real
use, but said in the launch's warnings: it is also what a mistyped period looks like
(shared/campaign_periods.py, which the pages read too)."""

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from services.surveys.campaigns.models import Campaign
from shared.campaign_periods import local_day, years_after
from shared.db import utcnow
from shared.errors import Invalid
from shared.periods import Period
from shared.templating import ru_moment

MAX_WINDOW_YEARS = 2


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


def check_window(
    opens_at: datetime, closes_at: datetime, period: Period | None = None, blame: str = "period"
) -> None:
    """Invalid (422) naming `closes_at` for a window that would stay open longer than
    MAX_WINDOW_YEARS years from its opening (or from now, for one opened in the past: a
    window backdated to when a past survey was held, closing soon, is no long link), naming
    `blame` (the field sent: `period`, or `closes_at` for a new closing alone) for one that
    closes before `period` (when given) begins."""
    start = max(opens_at, utcnow())
    if closes_at > years_after(start, MAX_WINDOW_YEARS):
        raise Invalid.at(
            "closes_at",
            f"Кампания была бы открыта дольше {MAX_WINDOW_YEARS} лет (с "
            f"{local_day(start):%d.%m.%Y} по {local_day(closes_at):%d.%m.%Y}): проверьте дату "
            "закрытия",
        )
    if period is not None and local_day(closes_at) < period.start:
        raise Invalid.at(
            blame,
            f"Кампания закрывается {local_day(closes_at):%d.%m.%Y}, до начала периода "
            f"«{period.code}» ({period.start:%d.%m.%Y}): её ответы были бы засчитаны за период, "
            "который ещё не начался",
        )
