"""Reporting periods: codes, neighbours, membership and periods named in roadmap titles."""

import asyncio
import dataclasses
from datetime import date

import pytest

from shared.default_period import latest_thick, reporting_of
from shared.periods import (
    Period,
    academic_year_of,
    contains,
    parse_period,
    parse_programme_period,
    period_of_roadmap,
    read_period,
    reporting_period_of,
)

d = date


@pytest.mark.parametrize(
    ("code", "kind", "start", "end"),
    [
        ("2021/2022", "academic_year", d(2021, 9, 1), d(2022, 8, 31)),
        ("2022", "year", d(2022, 1, 1), d(2022, 12, 31)),
        ("2022Q1", "quarter", d(2022, 1, 1), d(2022, 3, 31)),
        ("2022Q3", "quarter", d(2022, 7, 1), d(2022, 9, 30)),
        ("2022Q4", "quarter", d(2022, 10, 1), d(2022, 12, 31)),
        ("2022-09", "month", d(2022, 9, 1), d(2022, 9, 30)),
        ("2024-02", "month", d(2024, 2, 1), d(2024, 2, 29)),
        ("2023-02", "month", d(2023, 2, 1), d(2023, 2, 28)),
        ("2022-12", "month", d(2022, 12, 1), d(2022, 12, 31)),
    ],
)
def test_parse_period_gives_kind_and_inclusive_bounds(code, kind, start, end):
    assert parse_period(code) == Period(code, kind, start, end)


@pytest.mark.parametrize(
    "code",
    [
        "",
        "2021/2023",
        "2021/2021",
        "2022/2021",
        "21/22",
        "2021/22",
        "2022Q5",
        "2022Q0",
        "2022q3",
        "2022-13",
        "2022-00",
        "2022-9",
        "22",
        "20222",
        "0999",
        " 2022",
        "2022 ",
        "2022-09-01",
        "осень 2022",
        "2022H1",
    ],
)
def test_parse_period_rejects_malformed_codes(code):
    with pytest.raises(ValueError, match="Период"):
        parse_period(code)


def test_parse_period_names_the_consecutive_year_it_expected():
    with pytest.raises(ValueError, match="ожидается 2021/2022"):
        parse_period("2021/2023")


def test_a_reversed_school_year_is_read_as_the_one_meant():
    with pytest.raises(ValueError, match=r"по порядку, ожидается 2030/2031$"):
        parse_period("2031/2030")


@pytest.mark.parametrize(
    ("code", "meant"),
    [("٢٠٢٦/٢٠٢٧", "2026/2027"), ("２０２６/２０２７", "2026/2027"), ("२०२६Q1", "2026Q1")],
)
def test_digits_of_another_script_are_no_period_and_the_ascii_one_is_suggested(code, meant):
    """Python's \\d and int() take ٢ as 2: such a code stored as it is made a second key
    beside «2026/2027» that no report reads."""
    with pytest.raises(ValueError, match=f"имелось в виду «{meant}»"):
        parse_period(code)


def test_parse_period_rejects_a_non_string():
    with pytest.raises(ValueError, match="должен быть строкой"):
        parse_period(2022)  # type: ignore[arg-type]


def test_period_is_immutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        parse_period("2022").code = "2023"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("code", "previous"),
    [
        ("2021/2022", "2020/2021"),
        ("2000/2001", "1999/2000"),
        ("2022", "2021"),
        ("2022Q3", "2022Q2"),
        ("2022Q1", "2021Q4"),
        ("2022-09", "2022-08"),
        ("2022-01", "2021-12"),
    ],
)
def test_previous_period_is_one_step_back_of_the_same_kind(code, previous):
    assert parse_period(code).previous == parse_period(previous)


@pytest.mark.parametrize(
    ("code", "following"),
    [
        ("2021/2022", "2022/2023"),
        ("2022", "2023"),
        ("2022Q3", "2022Q4"),
        ("2022Q4", "2023Q1"),
        ("2022-09", "2022-10"),
        ("2022-12", "2023-01"),
    ],
)
def test_next_period_is_one_step_on_and_undoes_previous(code, following):
    assert parse_period(code).next == parse_period(following)
    assert parse_period(following).previous.next == parse_period(following)


def test_next_of_the_last_year_allowed_is_refused():
    with pytest.raises(ValueError, match="вне"):
        _ = parse_period("2100").next


def test_previous_of_the_first_year_allowed_is_refused():
    with pytest.raises(ValueError, match="вне"):
        _ = parse_period("1900").previous


@pytest.mark.parametrize(
    ("code", "day", "inside"),
    [
        ("2021/2022", d(2021, 9, 1), True),
        ("2021/2022", d(2022, 8, 31), True),
        ("2021/2022", d(2021, 8, 31), False),
        ("2021/2022", d(2022, 9, 1), False),
        ("2022Q3", d(2022, 9, 30), True),
        ("2022Q3", d(2022, 10, 1), False),
        ("2022-02", d(2022, 2, 28), True),
        ("2022", d(2023, 1, 1), False),
    ],
)
def test_contains_includes_both_ends(code, day, inside):
    assert contains(parse_period(code), day) is inside


@pytest.mark.parametrize(
    ("day", "code"),
    [
        (d(2021, 9, 1), "2021/2022"),
        (d(2021, 12, 31), "2021/2022"),
        (d(2022, 1, 15), "2021/2022"),
        (d(2022, 8, 31), "2021/2022"),
        (d(2021, 8, 31), "2020/2021"),
    ],
)
def test_academic_year_of_starts_on_the_first_of_september(day, code):
    assert academic_year_of(day) == parse_period(code)


@pytest.mark.parametrize(
    ("title", "code"),
    [
        ("в 2019 - 2020 уч. году", "2019/2020"),
        ("на 2021-2022 учебный год", "2021/2022"),
        ("2019–2020", "2019/2020"),
        ("на 2021 год", "2021"),
        ("в 2021/22 учебном году", "2021/2022"),
        # Real titles from services/demo/seeds.
        (
            "Дорожная карта организации сетевого взаимодействия в рамках действия кластера "
            "по направлению “Использование современных цифровых технологий для проведения "
            "оценочных процедур” в 2019 - 2020 уч. году",
            "2019/2020",
        ),
        (
            "План мероприятий («дорожная карта» 1.1.) по развитию системы оценки качества "
            "подготовки обучающихся в Дятьковском районе в 2021-2022 учебном году",
            "2021/2022",
        ),
        (
            "План мероприятий («дорожная карта» 2.5) по реализации системы организации "
            "воспитания и социализации обучающихся в Дятьковском районе на 2021 – 2022 "
            "учебный год",
            "2021/2022",
        ),
    ],
)
def test_period_of_roadmap_reads_the_title(title, code):
    assert period_of_roadmap(title) == parse_period(code)


@pytest.mark.parametrize(
    "title",
    [
        "Дорожная карта",
        "Использование оценочных процедур в системе дополнительного образования",
        "",
    ],
)
def test_period_of_roadmap_is_none_without_a_period(title):
    assert period_of_roadmap(title) is None


@pytest.mark.parametrize(
    ("title", "code", "kind", "start", "end"),
    [
        (
            "Дорожная карта по развитию муниципальной системы оценки качества дошкольного "
            "образования в Дятьковском районе на 2021-2022 годы",
            "2021-2022",
            "years",
            date(2021, 1, 1),
            date(2022, 12, 31),
        ),
        ("на 2021 - 2022 гг.", "2021-2022", "years", date(2021, 1, 1), date(2022, 12, 31)),
        ("программа 2019-2021", "2019-2021", "years", date(2019, 1, 1), date(2021, 12, 31)),
        (
            "программа на 2021–2024 уч. годы",
            "2021/2022-2023/2024",
            "academic_years",
            date(2021, 9, 1),
            date(2024, 8, 31),
        ),
    ],
)
def test_period_of_roadmap_reads_a_programme_of_several_years(title, code, kind, start, end):
    """Programmes of several years: a span, of calendar years unless «уч.» says school years."""
    period = period_of_roadmap(title)
    assert (period.code, period.kind, period.start, period.end) == (code, kind, start, end)
    assert parse_programme_period(code) == period


@pytest.mark.parametrize(
    ("code", "field"),
    [
        ("2023-2021", "от 2 до 10 лет"),
        ("2021-2021", "от 2 до 10 лет"),
        ("2021-2035", "от 2 до 10 лет"),
        ("2021/2022-2021/2022", "от 2 до 10 лет"),
        ("2021/2022-2023/2025", "два соседних года"),
        ("2021/2022-2023", "не распознан"),
    ],
)
def test_a_malformed_programme_span_is_refused_with_the_reason(code, field):
    with pytest.raises(ValueError, match=field):
        parse_programme_period(code)


def test_a_programme_span_has_no_neighbours_and_reports_from_its_latest_school_year():
    span = parse_programme_period("2024-2026")
    for step in ("previous", "next"):
        with pytest.raises(ValueError, match="срок программы"):
            getattr(span, step)
    with pytest.raises(ValueError):  # values are never reported for a span
        parse_period("2024-2026")
    # Calendar years: the latest school year ending within them and begun by today.
    assert reporting_period_of(span, date(2026, 12, 2)).code == "2025/2026"
    assert reporting_period_of(span, date(2028, 3, 1)).code == "2025/2026"
    assert reporting_period_of(span, date(2024, 10, 1)).code == "2024/2025"
    assert reporting_period_of(span, date(2023, 5, 1)).code == "2024/2025"  # all ahead
    school_years = parse_programme_period("2021/2022-2023/2024")
    assert reporting_period_of(school_years, date(2026, 12, 2)).code == "2023/2024"
    assert reporting_period_of(school_years, date(2022, 10, 1)).code == "2022/2023"
    assert reporting_period_of(school_years, date(2020, 1, 1)).code == "2021/2022"
    one = parse_period("2022Q3")
    assert reporting_period_of(one, date(2026, 12, 2)) is one


# The default period's walk (shared.default_period.latest_thick): each read carries the period
# before's values, so the walk reads every other period and the one before only when it has
# values. `posted` is how many indicators have a value in each year.
def _walk(
    posted: dict[str, int],
    start: str = "2026/2027",
    lookback: int = 4,
    reporting: dict[str, tuple[int, int]] | None = None,
):
    asked: list[str] = []

    async def read(period: Period) -> str:
        asked.append(period.code)
        return period.code

    def counts(code: str) -> tuple[int, int, tuple[int, int] | None]:
        before = parse_period(code).previous.code
        return posted.get(code, 0), posted.get(before, 0), (reporting or {}).get(code)

    found = asyncio.run(latest_thick(parse_period(start), read, counts, lookback))
    return found[0].code, asked


def test_the_walk_takes_the_latest_year_with_enough_values():
    assert _walk({"2026/2027": 10, "2025/2026": 12}) == ("2026/2027", ["2026/2027"])


def test_a_few_early_values_do_not_hide_the_year_everyone_reported():
    # 3 of 12 this year: under half of the year before's, which is shown.
    assert _walk({"2026/2027": 3, "2025/2026": 12}) == ("2025/2026", ["2026/2027", "2025/2026"])


def test_one_school_s_full_set_posted_early_does_not_hide_the_year_every_school_reported():
    # 38 indicators of 1 school of 28 this year (more indicators than the year before's 30,
    # of 25 schools): the district's figures would be that school's alone.
    posted = {"2026/2027": 38, "2025/2026": 30}
    thin = {"2026/2027": (1, 28)}
    assert _walk(posted, reporting=thin)[0] == "2025/2026"
    # Half the schools reporting is the year to show.
    assert _walk(posted, reporting={"2026/2027": (14, 28)})[0] == "2026/2027"


def test_reporting_is_read_from_the_values_coverage():
    coverages = [
        {"organizations": 28, "organizations_reporting": 1},
        {"organizations": 28, "organizations_reporting": 3},
        None,  # an organization's own value counts no organizations
        {"respondents": 40},
    ]
    assert reporting_of(coverages) == (3, 28)
    assert reporting_of([None, {"respondents": 40}]) is None


def test_empty_years_are_skipped_two_at_a_time():
    # 2026/27 and 2025/26 empty: the walk reads 2024/25 next (which tells 2023/24 has values).
    code, asked = _walk({"2023/2024": 5})
    assert code == "2023/2024" and asked == ["2026/2027", "2024/2025", "2023/2024"]


def test_nothing_anywhere_falls_back_to_the_start_and_its_read():
    assert _walk({}, lookback=2) == ("2026/2027", ["2026/2027", "2024/2025"])


@pytest.mark.parametrize("code", ["1950/1951", "1950", "1950Q1", "1950-01", "2089/2090", "2090"])
def test_a_reported_period_has_neighbours_to_step_to(code):
    """Reports and pages step several periods back and ahead of the one asked for: from the
    first and last periods anyone may report on, ten steps each way never fail."""
    back = ahead = parse_period(code)
    for _ in range(10):
        back, ahead = back.previous, ahead.next
    assert back.start < parse_period(code).start < ahead.start


@pytest.mark.parametrize(
    "code", ["1900/1901", "1949", "2091", "2090/2091", "2100Q1", "9999", "0001", "1800/1801"]
)
def test_a_period_outside_the_reported_years_is_refused_naming_them(code):
    with pytest.raises(ValueError, match="вне 1950–2090"):
        parse_period(code)


def test_a_body_s_period_drops_the_spaces_around_it_and_keeps_refusing_a_bad_one():
    """PeriodBody and PeriodText (JSON bodies) read « 2022 » as 2022; spaces inside a code,
    or a code that is none, are still refused (`parse_period` takes the bare code only)."""
    from pydantic import BaseModel, ValidationError

    from shared.periods import PeriodBody, PeriodText

    class Body(BaseModel):
        period: PeriodBody
        text: PeriodText | None = None

    read = Body.model_validate_json('{"period": " 2022\\t", "text": " 2021/2022 "}')
    assert (read.period.code, read.text) == ("2022", "2021/2022")
    for wrong in ("2021 / 2022", " 2022Q5 "):
        with pytest.raises(ValidationError, match="Период"):
            Body.model_validate_json(f'{{"period": "{wrong}"}}')


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("2024-2025", "2024/2025"),
        ("2024\u20132025", "2024/2025"),
        ("2024/25", "2024/2025"),
        ("2024-25", "2024/2025"),
        ("2024 / 2025", "2024/2025"),
        ("2024-2025 учебный год", "2024/2025"),
        ("1999/00", "1999/2000"),
    ],
)
def test_a_school_year_written_otherwise_is_read_and_said(written, code):
    period, note = read_period(written)
    assert (period.code, period.kind) == (code, "academic_year")
    assert note == f"«{written}» прочитано как учебный год {code}"


@pytest.mark.parametrize("code", ["2024/2025", "2024", "2024Q3", "2024-09", "2011-12"])
def test_a_period_code_is_read_as_it_is_without_a_note(code):
    assert read_period(code) == (parse_period(code), None)


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("2024-2026", "два соседних года по порядку, ожидается 2024/2025"),
        ("2025/24", "два соседних года по порядку, ожидается 2024/2025"),
        ("2025-24", "два соседних года по порядку, ожидается 2024/2025"),  # not «месяц 24»
        ("2000/99", "два соседних года по порядку, ожидается 1999/2000"),
        ("2024-13", "месяц — от 01 до 12, указан 13"),
        ("2024-2024", "не распознан"),
        ("2090-2091", "«2090-2091»: год 2091 вне 1950–2090"),
    ],
)
def test_years_that_are_no_school_year_are_still_refused(written, said):
    with pytest.raises(ValueError, match=said):
        read_period(written)
