"""Shorthands for the Russian deadline parser's tests (tests/api/test_deadline_*.py): periods,
kinds, and the parse of a text as a window or a whole outcome."""

from datetime import date

from services.api.roadmaps.deadlines import Deadline, parse_deadline
from shared.periods import parse_period

d = date
AY19, AY21, Y21 = "2019/2020", "2021/2022", "2021"
W, R, S, U = "window", "recurring", "schedule", "unparsed"


def parse(text: str, period: str | None = None) -> Deadline:
    return parse_deadline(text, parse_period(period) if period else None)


def window(text: str, period: str | None = None) -> tuple[date | None, date | None]:
    deadline = parse(text, period)
    return deadline.due_start, deadline.due_end


def outcome(text: str, period: str | None = None) -> tuple:
    deadline = parse(text, period)
    return deadline.kind, deadline.due_start, deadline.due_end, deadline.recurrence
