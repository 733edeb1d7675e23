"""The demo's school years: what runs now, and the completed years its data are of.

The seed documents were written for the school years 2020/2021 and 2021/2022. The demo moves
their dates forward by the same number of years (`shift`), so that the seeds' latest school
year, 2021/2022, becomes the school year of `today` (`current_year`): the roadmaps' deadlines,
the district's plan of the year, the open parents' survey and the diagnostics' follow-up are
of now.

The demo's data (indicator values, ВПР/ОГЭ results, the closed campaigns and diagnostic,
decisions, the data collection) are of the two latest COMPLETED school years (`demo_years`).
The rule: a school year is completed once 1 June of its second calendar year has passed — its
spring (ВПР, ОГЭ, the monitoring's collection) is over. So from September to May the completed
years are the two before the current one; in June–August the year just ending counts too.

Its moments (campaigns' openings and closings) fall on whole days of the deployment's time
zone (SOKO_TIMEZONE): a window opens at 00:00 of its first day and closes at 23:59 of its last
(`opening`, `closing`), whatever the time of day the demo was loaded.
"""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from shared.periods import academic_year, academic_year_of

SEEDS_LATEST_YEAR = 2021  # the seeds' latest school year: 2021/2022
COMPLETED_FROM = (6, 1)  # (month, day): a school year is completed from this day of its spring
OPENS, CLOSES = time(0, 0), time(23, 59)  # a demo window's first and last minute, local time


def current_year(today: date) -> str:
    """The school year of `today`, what runs now: "2026/2027" for 2026-12-02."""
    return academic_year_of(today).code


def year_before(today: date) -> str:
    """The school year before `today`'s, always completed: "2025/2026" for 2026-12-02 (the
    later of `demo_years`; the earlier in June–August)."""
    return academic_year(academic_year_of(today).start.year - 1).code


def shift(today: date) -> int:
    """How many years the seeds' dates move forward: 5 when `today` is 2026-12-02."""
    return academic_year_of(today).start.year - SEEDS_LATEST_YEAR


def latest_completed(today: date) -> int:
    """The first calendar year of the latest school year completed by `today` (COMPLETED_FROM):
    2025 (2025/2026) for 2026-12-02 and for 2026-06-01, 2024 for 2026-05-31."""
    current = academic_year_of(today).start.year
    return current if today >= date(current + 1, *COMPLETED_FROM) else current - 1


def demo_years(today: date) -> tuple[str, str]:
    """The two school years of the demo's data, the latest two completed by `today` (earlier,
    later): ("2024/2025", "2025/2026") for 2026-12-02, ("2023/2024", "2024/2025") for
    2026-05-31."""
    later = latest_completed(today)
    return academic_year(later - 1).code, academic_year(later).code


def opening(day: date, zone: str) -> datetime:
    """00:00 of `day` in the time zone `zone` (SOKO_TIMEZONE), an aware moment: when a demo
    window opens. 2026-11-27 in Europe/Moscow is 2026-11-26 21:00 UTC."""
    return datetime.combine(day, OPENS, ZoneInfo(zone))


def closing(day: date, zone: str) -> datetime:
    """23:59 of `day` in the time zone `zone`, an aware moment: when a demo window closes (a
    page dates it `day`, «по 01.01.2027 23:59»)."""
    return datetime.combine(day, CLOSES, ZoneInfo(zone))
