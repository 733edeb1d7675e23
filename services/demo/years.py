"""The demo's school years: the seeds' own moved forward to `today`.

The seed documents and the demo's data were written for the school years 2020/2021 and
2021/2022. The demo moves every year forward by the same number of years (`shift`), so that
the seeds' latest school year, 2021/2022, becomes the school year of `today`: the demo's data
are then of the previous and the current school year (`demo_years`), and its roadmaps' deadlines
fall around `today`.
"""

from datetime import date

from shared.periods import academic_year, academic_year_of

SEEDS_LATEST_YEAR = 2021  # the seeds' latest school year: 2021/2022


def shift(today: date) -> int:
    """How many years the seeds' dates move forward: 5 when `today` is 2026-12-02."""
    return academic_year_of(today).start.year - SEEDS_LATEST_YEAR


def demo_years(today: date) -> tuple[str, str]:
    """The two school years of the demo's data, (previous, current) of `today`: the seeds'
    2020/2021 and 2021/2022 moved by `shift`, e.g. ("2025/2026", "2026/2027") for 2026-12-02."""
    current = academic_year_of(today).start.year
    return academic_year(current - 1).code, academic_year(current).code
