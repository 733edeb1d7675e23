"""The Russian deadline parser, by rule: the windows a text names (months, weeks, quarters,
half-years, days, school and calendar years, spans), the period that completes them, OCR noise
inside words; the deadline keeps its text verbatim and is immutable."""

import dataclasses

import pytest

from tests.api.deadline_parsing import AY21, Y21, W, d, outcome, parse, window


def test_keeps_the_original_text_verbatim():
    text = "  Ноябрь – декабрь\n2019 г. "
    assert parse(text).text == text


def test_deadline_is_immutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        parse("май 2020").kind = "unparsed"  # type: ignore[misc]


@pytest.mark.parametrize(
    "text",
    [
        "Ноябрь – декабрь 2019 г.",
        "ноябрь—декабрь 2019 гг.",
        "ноябрь-декабрь 2019 года",
        "НОЯБРЬ - ДЕКАБРЬ 2019",
        "ноября – декабря 2019",
        "с ноября по декабрь 2019 г.",
        "ноябрь 2019 – декабрь 2019",
    ],
)
def test_month_range_tolerates_dashes_case_and_year_words(text):
    assert outcome(text) == (W, d(2019, 11, 1), d(2019, 12, 31), None)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("октябрь 2019", d(2019, 10, 1), d(2019, 10, 31)),
        ("в сентябре 2021 года", d(2021, 9, 1), d(2021, 9, 30)),
        ("февраль 2024", d(2024, 2, 1), d(2024, 2, 29)),
    ],
)
def test_single_month_is_the_whole_month(text, start, end):
    assert window(text) == (start, end)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("1-2 недели сентября, 2019", d(2019, 9, 1), d(2019, 9, 14)),
        ("4-я неделя сентября 2019", d(2019, 9, 22), d(2019, 9, 28)),
        ("первая неделя октября 2019", d(2019, 10, 1), d(2019, 10, 7)),
        ("вторая-третья неделя октября 2019", d(2019, 10, 8), d(2019, 10, 21)),
        ("5 неделя октября 2019", d(2019, 10, 29), d(2019, 10, 31)),
        ("последняя неделя февраля 2020", d(2020, 2, 23), d(2020, 2, 29)),
    ],
)
def test_weeks_of_a_month_are_seven_day_blocks(text, start, end):
    assert window(text) == (start, end)


@pytest.mark.parametrize(
    ("text", "period", "start", "end"),
    [
        ("III квартал 2022", None, d(2022, 7, 1), d(2022, 9, 30)),
        ("1 квартал 2022 г.", None, d(2022, 1, 1), d(2022, 3, 31)),
        ("ІІІ квартал 2022", None, d(2022, 7, 1), d(2022, 9, 30)),
        ("II-III квартал", AY21, d(2022, 4, 1), d(2022, 9, 30)),
        ("IV квартал", AY21, d(2021, 10, 1), d(2021, 12, 31)),
        ("2 квартал", Y21, d(2021, 4, 1), d(2021, 6, 30)),
    ],
)
def test_quarters_are_calendar_quarters(text, period, start, end):
    assert window(text, period) == (start, end)


@pytest.mark.parametrize(
    ("text", "period", "start", "end"),
    [
        ("1 полугодие 2022", AY21, d(2022, 9, 1), d(2022, 12, 31)),
        ("1 полугодие", AY21, d(2021, 9, 1), d(2021, 12, 31)),
        ("2 полугодие", AY21, d(2022, 1, 1), d(2022, 8, 31)),
        ("1 полугодие 2022", None, d(2022, 1, 1), d(2022, 6, 30)),
        ("II полугодие", Y21, d(2021, 7, 1), d(2021, 12, 31)),
    ],
)
def test_half_years_follow_the_school_year_in_an_academic_period(text, period, start, end):
    assert window(text, period) == (start, end)


@pytest.mark.parametrize(
    ("text", "period", "start", "end"),
    [
        ("до 01.11.2021", AY21, d(2021, 9, 1), d(2021, 11, 1)),
        ("до 01.11.2021", None, None, d(2021, 11, 1)),
        ("до 1 ноября 2021 г.", None, None, d(2021, 11, 1)),
        ("до 15 сентября", AY21, d(2021, 9, 1), d(2021, 9, 15)),
        ("не позднее 15.09.2021", None, None, d(2021, 9, 15)),
        ("до конца 2021 года", None, None, d(2021, 12, 31)),
        ("до конца сентября", AY21, d(2021, 9, 1), d(2021, 9, 30)),
        ("до 15.08.2021", AY21, None, d(2021, 8, 15)),
    ],
)
def test_until_a_day_ends_there_and_starts_with_the_period(text, period, start, end):
    assert window(text, period) == (start, end)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("15.09.2021", d(2021, 9, 15)),
        ("15 сентября 2021 г.", d(2021, 9, 15)),
        ("1.9.21", d(2021, 9, 1)),
    ],
)
def test_plain_date_is_a_one_day_window(text, day):
    assert outcome(text) == (W, day, day, None)


@pytest.mark.parametrize(
    "text",
    [
        "2021-2022 учебный год",
        "в течение 2021/2022 уч. года",
        "2021/22 учебный год",
        "2021 - 2022",
        "на 2021–2022 учебный год",
    ],
)
def test_academic_year_is_september_to_august(text):
    assert outcome(text) == (W, d(2021, 9, 1), d(2022, 8, 31), None)


def test_plural_years_are_calendar_years():
    assert window("2021 - 2022 гг.") == (d(2021, 1, 1), d(2022, 12, 31))


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("Август 2021 г. – декабрь 2022 г.", d(2021, 8, 1), d(2022, 12, 31)),
        ("сентябрь 2019 – май 2020", d(2019, 9, 1), d(2020, 5, 31)),
        ("сентябрь 2019 – май", d(2019, 9, 1), d(2020, 5, 31)),
        ("ноябрь – февраль 2020", d(2019, 11, 1), d(2020, 2, 29)),
        ("Сентябрь 2019, май 2020", d(2019, 9, 1), d(2020, 5, 31)),
        ("Апрель - май, сентябрь, декабрь 2022 г", d(2022, 4, 1), d(2022, 12, 31)),
    ],
)
def test_spans_and_several_pieces_give_one_covering_window(text, start, end):
    assert window(text) == (start, end)


@pytest.mark.parametrize(
    ("text", "period", "start", "end"),
    [
        ("сентябрь", AY21, d(2021, 9, 1), d(2021, 9, 30)),
        ("январь", AY21, d(2022, 1, 1), d(2022, 1, 31)),
        ("август", AY21, d(2022, 8, 1), d(2022, 8, 31)),
        ("сентябрь - май", AY21, d(2021, 9, 1), d(2022, 5, 31)),
        ("сентябрь", Y21, d(2021, 9, 1), d(2021, 9, 30)),
        ("январь", Y21, d(2021, 1, 1), d(2021, 1, 31)),
        ("май", "2022Q2", d(2022, 5, 1), d(2022, 5, 31)),
    ],
)
def test_a_missing_year_comes_from_the_period(text, period, start, end):
    assert window(text, period) == (start, end)


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("Ceнтябрь 2021", 9),  # Latin "C" and "e"
        ("oктябрь 2021", 10),  # Latin "o"
        ("ОKТЯБРЬ 2021", 10),  # Latin "K"
        ("сен тябрь 2021", 9),
        ("сен.тябрь 2021", 9),
        ("Сентябрь2021г.", 9),
        ("август 2021 г. •", 8),
    ],
)
def test_ocr_noise_inside_words_is_normalised(text, month):
    assert outcome(text)[:2] == (W, d(2021, month, 1))
