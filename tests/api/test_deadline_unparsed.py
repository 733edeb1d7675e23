"""The Russian deadline parser, by rule: what it cannot read is unparsed with a reason, and it never
guesses a year the text leaves open."""

import pytest

from tests.api.deadline_parsing import AY21, Y21, U, outcome, parse


@pytest.mark.parametrize(
    "text", ["сентябрь", "март - май", "2-3 неделя сентября", "до 15 сентября"]
)
def test_a_missing_year_without_a_period_is_unparsed(text):
    assert outcome(text) == (U, None, None, None)
    assert parse(text).reason == "no year"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty text"),
        ("   ", "empty text"),
        ("' '", "no date found"),
        ("в течение", "no date found"),
        ("Января 2021 года – декабрь 20221 года", "invalid year 20221"),
        ("по потребности", "on demand: no fixed deadline"),
        ("по мере необходимости", "on demand: no fixed deadline"),
        ("3 раза в год", "unsupported frequency"),
        ("ежедневно", "unsupported frequency"),
        ("Сентябрь-ноябрь 2021 0", "unrecognised text '0'"),
        ("- ¢ . месяца, следующего за отчетным)", "unrecognised text 'месяца'"),
        ("Сентябрь 2021 (входная диагностика)", "unrecognised text 'входная'"),
        ("сентябрь 1021", "implausible year 1021"),
        ("31.11.2021", "invalid date"),
        ("5 неделя февраля 2021", "invalid date"),
        ("6 неделя марта 2021", "invalid week number"),
        ("V квартал 2021", "unrecognised text 'v'"),
        ("2019-2021", "year range 2019-2021 is not one academic year"),
        ("до ноября 2021", "'до' with a month or year is ambiguous"),
        ("сентябрь -", "a range without its end"),
        ("до 01.11.2021, декабрь 2021", "'до' mixed with other dates"),
    ],
)
def test_unreadable_deadlines_are_unparsed_with_a_reason(text, reason):
    assert outcome(text) == (U, None, None, None)
    assert parse(text).reason == reason


@pytest.mark.parametrize(
    ("text", "period", "reason"),
    [
        ("сентябрь, май, декабрь 2022", None, "ambiguous year"),
        ("май - сентябрь", AY21, "range ends before it starts"),
        ("ноябрь - февраль", Y21, "range ends before it starts"),
        ("I-II полугодие", AY21, "a range of school half-years crosses a year boundary"),
    ],
)
def test_never_guesses_a_year_that_the_text_leaves_open(text, period, reason):
    assert outcome(text, period) == (U, None, None, None)
    assert parse(text, period).reason == reason
