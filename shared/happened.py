"""Days a client reports something was done on (a management decision taken, a roadmap
activity completed): a day that has not come yet is a typo («2031» for «2021»), and so is one
before what it was done about began — a decision on a 2025/2026 recommendation taken in 2020,
an activity of the 2026/2027 roadmap completed in 2020 made it «выполнено в срок» by six
years (a roadmap's activity may be done up to a year before its period: a year's plan is
prepared in the summer before it, «анализ результатов прошлого учебного года» in August).
Both are a 422 naming the field; `ReportedDate` (shared/validation.py) only bounds the
year to what periods are reported for."""

from datetime import date

from shared.errors import Invalid


def check_happened(
    day: date,
    field: str,
    today: date,
    *,
    since: date | None = None,
    too_early: str = "",
) -> None:
    """Invalid (422, `loc` ["body", `field`]) when `day` is after `today` (the day in
    SOKO_TIMEZONE: `Settings.today`) or before `since`, said «Дата 01.01.2020 {too_early}:
    проверьте год» (`too_early`, Russian: «раньше начала периода рекомендации 2021/2022
    (01.09.2021)»)."""
    if day > today:
        raise Invalid.at(
            field,
            f"Дата {day:%d.%m.%Y} ещё не наступила (сегодня {today:%d.%m.%Y}): укажите день, "
            "когда это уже произошло",
        )
    if since is not None and day < since:
        raise Invalid.at(field, f"Дата {day:%d.%m.%Y} {too_early}: проверьте год")
