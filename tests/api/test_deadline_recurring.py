"""The Russian deadline parser, by rule: recurring and schedule-bound deadlines take the period as
their window."""

import pytest

from tests.api.deadline_parsing import AY21, Y21, R, S, d, outcome, parse


@pytest.mark.parametrize(
    ("text", "period", "recurrence", "start", "end"),
    [
        ("ежегодно", AY21, "yearly", d(2021, 9, 1), d(2022, 8, 31)),
        ("ежегодно", None, "yearly", None, None),
        ("ежеквартально", Y21, "quarterly", d(2021, 1, 1), d(2021, 12, 31)),
        ("еженедельно", Y21, "weekly", d(2021, 1, 1), d(2021, 12, 31)),
        ("ежемесячно (третья пятница месяца)", Y21, "monthly", d(2021, 1, 1), d(2021, 12, 31)),
        ("не реже 1 раза в полугодие", Y21, "semiannual", d(2021, 1, 1), d(2021, 12, 31)),
        ("2 раза в год", Y21, "semiannual", d(2021, 1, 1), d(2021, 12, 31)),
        ("не реже одного раза в месяц", Y21, "monthly", d(2021, 1, 1), d(2021, 12, 31)),
        ("в течение года", Y21, "during_period", d(2021, 1, 1), d(2021, 12, 31)),
        ("в течение учебного года", AY21, "during_period", d(2021, 9, 1), d(2022, 8, 31)),
        ("постоянно", AY21, "during_period", d(2021, 9, 1), d(2022, 8, 31)),
        ("в течение всего периода", AY21, "during_period", d(2021, 9, 1), d(2022, 8, 31)),
    ],
)
def test_recurring_deadlines_take_the_period_as_window(text, period, recurrence, start, end):
    assert outcome(text, period) == (R, start, end, recurrence)


@pytest.mark.parametrize(
    ("text", "period"), [("Октябрь-ноябрь ежегодно", None), ("май - сентябрь ежегодно", AY21)]
)
def test_recurring_dates_that_cannot_be_placed_leave_no_window(text, period):
    assert outcome(text, period) == (R, None, None, "yearly")


def test_recurrence_detail_names_the_day_of_the_month():
    deadline = parse("ежемесячно (третья пятница месяца, по предварительн ой записи)")
    assert (deadline.recurrence, deadline.recurrence_detail) == ("monthly", "третья пятница месяца")


@pytest.mark.parametrize(
    "text",
    [
        "по графику",
        "в соответствии с графиком проведения ВПР",
        "по плану УО",
        "по отдельному плану",
        "согласно графику",
        "в соответствии со сроками проведения мероприятий",
    ],
)
def test_schedule_bound_deadlines_take_the_period_as_window(text):
    assert outcome(text, AY21) == (S, d(2021, 9, 1), d(2022, 8, 31), None)
    assert outcome(text) == (S, None, None, None)


def test_schedule_with_an_explicit_year_takes_that_year():
    assert outcome("по плану-графику на 2022 год", AY21) == (
        S,
        d(2022, 1, 1),
        d(2022, 12, 31),
        None,
    )
