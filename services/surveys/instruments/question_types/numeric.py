"""Question types answered by a number: a likert point, a number, a whole number."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

from services.surveys.instruments.question_types.base import (
    UNSURE,
    UNSURE_LABEL,
    QuestionType,
    Value,
)
from shared.validation import MEASURE_MAX, MEASURE_MAX_TEXT

if TYPE_CHECKING:
    from services.surveys.instruments.definition import Question

# Labels of the five likert points, by instrument kind: satisfaction questions ask "how satisfied",
# self-assessment and diagnostic statements ask "how far this is true of you".
LIKERT5_LABELS: dict[str, tuple[str, ...]] = {
    "satisfaction": (
        "Совсем не удовлетворён(а)",
        "Скорее не удовлетворён(а)",
        "Отчасти удовлетворён(а)",
        "Скорее удовлетворён(а)",
        "Полностью удовлетворён(а)",
    ),
    "self_assessment": (
        "Совсем не соответствует",
        "Скорее не соответствует",
        "Соответствует частично",
        "Скорее соответствует",
        "Полностью соответствует",
    ),
}
LIKERT5_LABELS["deficit"] = LIKERT5_LABELS["self_assessment"]
_INTEGER = re.compile(r"[+-]?[0-9]{1,15}")
# Browsers send "2.5" from <input type=number>; a phone keyboard or an old browser may send "2,5".
_DECIMAL = re.compile(r"[+-]?[0-9]{0,15}[.,][0-9]{1,15}")


class _Numeric(QuestionType):
    """A question whose answers relevance conditions and XLSForm name as whole numbers."""

    def relevant_value(self, code: str, literal: str, quoted: bool, selected: bool) -> Value:
        if re.fullmatch(r"-?\d+", literal):
            return int(literal)
        raise self._not_comparable(code, literal)

    def xlsform_literal(self, value: Value) -> str:
        return str(value)

    def stored(self, question: Question, value: Any) -> dict[str, Any]:
        return {"number": float(value)}


class Likert5(_Numeric):
    """A point 1–5 on a scale of agreement or satisfaction; 4 and 5 are positive by default.
    With `allow_unsure` the answer may also be "unsure" («затрудняюсь ответить»): stored as
    that option, neither a number nor rated, so left out of means and positive shares."""

    name = "likert5"
    default_positive = (4, 5)
    marked = True
    unsure = True
    xlsform_bases = ("select_one",)
    built_in_list = "likert5"

    def accepts(self, question: Question, value: Value) -> bool:
        return type(value) is int and 1 <= value <= 5

    def check_answer(self, question: Question, value: Any) -> str | None:
        if self.accepts(question, value) or (question.allow_unsure and value == UNSURE):
            return None
        if question.allow_unsure:
            return f"ожидается целое число от 1 до 5 или «{UNSURE}» (затрудняюсь ответить)"
        return "ожидается целое число от 1 до 5"

    def is_positive(self, question: Question, value: Any) -> bool | None:
        return None if value == UNSURE else super().is_positive(question, value)

    def stored(self, question: Question, value: Any) -> dict[str, Any]:
        return {"option": UNSURE} if value == UNSURE else super().stored(question, value)

    def choices(self, question: Question, instrument_kind: str) -> list[tuple[str, str]]:
        labels = LIKERT5_LABELS[instrument_kind]
        points = [(str(point), label) for point, label in enumerate(labels, start=1)]
        return [*points, (UNSURE, UNSURE_LABEL)] if question.allow_unsure else points

    def from_form(self, given: list[str]) -> Any:
        return int(given[0]) if _INTEGER.fullmatch(given[0]) else given[0]

    def described(self, question: Question, value: Value, instrument_kind: str) -> tuple[str, str]:
        return str(value), f"«{LIKERT5_LABELS[instrument_kind][int(value) - 1]}»"

    def built_in_choices(self, instrument_kind: str) -> list[tuple[str, str]]:
        labels = LIKERT5_LABELS[instrument_kind]
        return [(str(point), f"{point} — {label}") for point, label in enumerate(labels, 1)]

    def parse_positive(self, cell: str, tokens: list[str]) -> list[Value]:
        if any(not token.isdigit() for token in tokens):
            raise ValueError(f"ожидаются баллы шкалы от 1 до 5, а написано «{cell}»")
        return [int(token) for token in tokens]


class Number(_Numeric):
    """A finite number, within `min` and `max` when the question sets them."""

    name = "number"
    ranged = True
    positive_answers = False
    control = "number"
    widget = "number"
    xlsform_bases = ("decimal",)

    def accepts(self, question: Question, value: Value) -> bool:
        return (
            type(value) is int
            and (question.min is None or value >= question.min)
            and (question.max is None or value <= question.max)
        )

    def check_answer(self, question: Question, value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return "ожидается число"
        # Bounded, so that no tally or aggregate sum can overflow (an int compares exactly).
        if not -MEASURE_MAX <= value <= MEASURE_MAX:
            finite = not isinstance(value, float) or math.isfinite(value)
            return f"число по модулю больше {MEASURE_MAX_TEXT}" if finite else "ожидается число"
        if question.min is not None and value < question.min:
            return f"число меньше {question.min:g}"
        if question.max is not None and value > question.max:
            return f"число больше {question.max:g}"
        return None

    def from_form(self, given: list[str]) -> Any:
        text = given[0]
        if _INTEGER.fullmatch(text):
            return int(text)
        if _DECIMAL.fullmatch(text):
            number = float(text.replace(",", "."))
            return int(number) if number.is_integer() else number
        return text  # not a number: kept, so that the check says so next to the question


class Integer(Number):
    """A whole number (XLSForm `integer`), within `min` and `max` when the question sets them."""

    name = "integer"
    xlsform_bases = ("integer",)

    def check_answer(self, question: Question, value: Any) -> str | None:
        problem = super().check_answer(question, value)
        if problem is None and isinstance(value, float) and not value.is_integer():
            return "ожидается целое число"
        return problem
