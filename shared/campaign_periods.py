"""A campaign's opening against its period: answers collected in the window are counted for
the period (survey indicators read a campaign's period), so an opening far from it (over a
year after it ends, or over a year before it starts) is what a mistyped period looks like —
or an old paper survey keyed in, which is why it is said, not refused. Read by the surveys
service (a launch's and a period change's `warnings`, services/surveys/campaigns/window.py)
and by the pages (the home's notice of a campaign launched from /campaigns/new, where the
launch's answer does not follow the redirect)."""

from datetime import date, datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from shared.periods import Period
from shared.settings import get_settings

Day = TypeVar("Day", date, datetime)


def years_after(moment: Day, years: int) -> Day:
    """`moment` (a day or a moment) `years` later on the calendar, or earlier for negative
    `years` (29 February: 28 February then)."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28)


def local_day(moment: datetime) -> date:
    """The day of `moment` in SOKO_TIMEZONE (what people read)."""
    return moment.astimezone(ZoneInfo(get_settings().timezone)).date()


def opening_warnings(opens_at: datetime, period: Period) -> list[str]:
    """Russian warnings for a launch, each starting with `period` (the field to check), when
    the opening's day (in SOKO_TIMEZONE) lies over a year after `period` ends or over a year
    before it starts: its answers count for that period's indicators, right for an old paper
    survey keyed in, wrong for a mistyped period. [] else. Said at a launch and for a change
    of the period (PATCH, allowed while no one has answered)."""
    opens = local_day(opens_at)
    if opens > years_after(period.end, 1):
        return [
            f"period: кампания открывается {opens:%d.%m.%Y}, больше чем через год после конца "
            f"периода «{period.code}» ({period.end:%d.%m.%Y}); её ответы будут засчитаны в "
            f"показатели периода «{period.code}». Если вносятся анкеты старого опроса, всё "
            "верно; если нет, проверьте период и дату открытия"
        ]
    if opens < years_after(period.start, -1):
        return [
            f"period: кампания открывается {opens:%d.%m.%Y}, больше чем за год до начала "
            f"периода «{period.code}» ({period.start:%d.%m.%Y}); её ответы будут засчитаны в "
            f"показатели периода «{period.code}». Проверьте период и дату открытия"
        ]
    return []
