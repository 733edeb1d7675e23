"""The question types of the definition format: one class each, registered by `@register`."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any, ClassVar

from services.surveys.instruments.question_types.base import (
    NO,
    UNSURE,
    UNSURE_LABEL,
    YES,
    QuestionType,
    Value,
    fail,
    register,
)
from shared.validation import MEASURE_MAX, MEASURE_MAX_TEXT

if TYPE_CHECKING:
    from services.surveys.instruments.definition import Question

MAX_TEXT = 5000  # characters of a text answer
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


class _Choice(QuestionType):
    """A question answered by choosing among its own options."""

    options = True

    def accepts(self, question: Question, value: Value) -> bool:
        return isinstance(value, str) and value in question.option_codes()

    def check_answer(self, question: Question, value: Any) -> str | None:
        if value in question.option_codes():
            return None
        return f"нет такого варианта; допустимы: {', '.join(question.option_codes())}"

    def relevant_value(self, code: str, literal: str, quoted: bool, selected: bool) -> Value:
        if quoted:
            return literal
        raise self._not_comparable(code, literal)

    def stored(self, question: Question, value: Any) -> dict[str, Any]:
        return {"option": value}

    def choices(self, question: Question, instrument_kind: str) -> list[tuple[str, str]]:
        return [(o.code, o.text) for o in question.options]

    def described(self, question: Question, value: Value, instrument_kind: str) -> tuple[str, str]:
        option = next((o for o in question.options if o.code == value), None)
        return str(value), f"«{option.text}»" if option else str(value)


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


@register
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


@register
class Single(_Choice):
    """One option of the question's own."""

    name = "single"
    xlsform_bases = ("select_one",)

    def reads_xlsform(self, base: str, competence: bool) -> bool:
        return base in self.xlsform_bases and not competence


@register
class Multiple(_Choice):
    """Several different options (at least one); positive when any chosen option is."""

    name = "multiple"
    control = "checkbox"
    xlsform_bases = ("select_multiple",)

    def check_answer(self, question: Question, value: Any) -> str | None:
        # Codes are strings: a nested list or an object in the list is no option (and unhashable).
        if (
            not isinstance(value, list)
            or not value
            or not all(isinstance(v, str) for v in value)
            or len(set(value)) != len(value)
        ):
            return "ожидается непустой список разных вариантов"
        unknown = [v for v in value if v not in question.option_codes()]
        return f"нет таких вариантов: {', '.join(map(str, unknown))}" if unknown else None

    def is_positive(self, question: Question, value: Any) -> bool | None:
        chosen = question.positive or ()
        return any(v in chosen for v in value) if chosen else None

    def stored(self, question: Question, value: Any) -> dict[str, Any]:
        # One row, the options in an array: (response, question) is the answer's key.
        return {"options": list(value)}

    def from_form(self, given: list[str]) -> Any:
        return list(dict.fromkeys(given))

    def relevant_value(self, code: str, literal: str, quoted: bool, selected: bool) -> Value:
        if not selected:
            raise ValueError(f"для select_multiple пишите selected(${{{code}}}, '...')")
        return super().relevant_value(code, literal, quoted, selected)

    def relevant_term(self, code: str, value: Value) -> str:
        return f"selected(${{{code}}}, '{value}')"


@register
class YesNo(QuestionType):
    """Yes (true) or no (false); yes is positive by default."""

    name = "yes_no"
    default_positive = (True,)
    xlsform_bases = ("select_one",)
    built_in_list = "yes_no"
    _LABELS: ClassVar[dict[str, str]] = {YES: "Да", NO: "Нет"}

    def accepts(self, question: Question, value: Value) -> bool:
        return isinstance(value, bool)

    def check_answer(self, question: Question, value: Any) -> str | None:
        return None if isinstance(value, bool) else "ожидается true или false"

    def stored(self, question: Question, value: Any) -> dict[str, Any]:
        return {"number": 1.0 if value else 0.0}

    def choices(self, question: Question, instrument_kind: str) -> list[tuple[str, str]]:
        return list(self._LABELS.items())

    def from_form(self, given: list[str]) -> Any:
        return {YES: True, NO: False}.get(given[0], given[0])

    def form_text(self, value: Any) -> str:
        return (YES if value else NO) if isinstance(value, bool) else super().form_text(value)

    def described(self, question: Question, value: Value, instrument_kind: str) -> tuple[str, str]:
        return (YES, "«Да»") if value else (NO, "«Нет»")

    def built_in_choices(self, instrument_kind: str) -> list[tuple[str, str]]:
        return list(self._LABELS.items())

    def relevant_value(self, code: str, literal: str, quoted: bool, selected: bool) -> Value:
        if literal in {YES, NO}:
            return literal == YES
        raise self._not_comparable(code, literal)

    def xlsform_literal(self, value: Value) -> str:
        return f"'{self.format_positive(value)}'"

    def parse_positive(self, cell: str, tokens: list[str]) -> list[Value]:
        if any(token not in {YES, NO} for token in tokens):
            raise ValueError(f"ожидается yes и/или no, а написано «{cell}»")
        return [token == YES for token in tokens]

    def format_positive(self, value: Value) -> str:
        return YES if value else NO


@register
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


@register
class Integer(Number):
    """A whole number (XLSForm `integer`), within `min` and `max` when the question sets them."""

    name = "integer"
    xlsform_bases = ("integer",)

    def check_answer(self, question: Question, value: Any) -> str | None:
        problem = super().check_answer(question, value)
        if problem is None and isinstance(value, float) and not value.is_integer():
            return "ожидается целое число"
        return problem


class _Unanswered(QuestionType):
    """A row of the form that the respondent does not answer."""

    answered = False
    positive_answers = False
    control = "none"

    def check_definition(self, question: Question) -> None:
        super().check_definition(question)
        if question.required_expression:
            raise fail(question, f"вопрос типа «{self.name}» не бывает обязательным (required)")

    def fill(self, question: Question) -> None:
        question.required = False
        super().fill(question)

    def check_answer(self, question: Question, value: Any) -> str | None:
        return "на этот пункт не отвечают"

    def stored(self, question: Question, value: Any) -> dict[str, Any]:
        return {"text": str(value)}


@register
class Note(_Unanswered):
    """A text shown between the questions (XLSForm `note`)."""

    name = "note"
    widget = "note"
    xlsform_bases = ("note",)


@register
class Calculate(_Unanswered):
    """A value worked out from the answers (XLSForm `calculate`): other expressions read it."""

    name = "calculate"
    widget = "calculate"
    xlsform_bases = ("calculate",)

    def check_definition(self, question: Question) -> None:
        super().check_definition(question)
        if not question.calculation:
            raise fail(question, "у calculate должна быть формула (calculation)")

    def stored(self, question: Question, value: Any) -> dict[str, Any]:
        """The value the server worked out (ODK text, `xpath.to_text`): a finite number
        within ±10^15 in `number`, so that aggregates count and average it like a number
        question's, and its text in `text` (cut to MAX_TEXT characters)."""
        text = str(value)
        try:
            number: float | None = float(text)
        except ValueError:
            number = None
        if number is not None and not (math.isfinite(number) and abs(number) <= MEASURE_MAX):
            number = None
        return {"number": number, "text": text[:MAX_TEXT]}


@register
class Text(QuestionType):
    """Free text of at most MAX_TEXT characters."""

    name = "text"
    positive_answers = False
    control = "text"
    widget = "text"
    xlsform_bases = ("text",)

    def accepts(self, question: Question, value: Value) -> bool:
        return False

    def check_answer(self, question: Question, value: Any) -> str | None:
        if not isinstance(value, str) or len(value) > MAX_TEXT:
            return f"ожидается текст до {MAX_TEXT} символов"
        return None

    def stored(self, question: Question, value: Any) -> dict[str, Any]:
        return {"text": value}


@register
class TestItem(_Choice):
    """A scored item of a diagnostic: a correct option earns its points in the competence."""

    name = "test_item"
    scored = True
    positive_answers = False
    xlsform_bases = ("select_one",)

    def _check_scoring(self, question: Question) -> None:
        if question.competence is None:
            raise fail(question, "у тестового задания должна быть указана компетенция (competence)")
        if not any(o.correct and o.points > 0 for o in question.options):
            raise fail(
                question,
                "у тестового задания нужен хотя бы один верный вариант (correct) с баллами "
                "(points) больше 0",
            )

    def fill(self, question: Question) -> None:
        if question.points is None:
            question.points = sum(o.points for o in question.options if o.correct)
        super().fill(question)

    def stored(self, question: Question, value: Any) -> dict[str, Any]:
        return {"option": value, "points": self.points(question, value)}

    def points(self, question: Question, value: Any) -> float:
        option = next((o for o in question.options if o.code == value), None)
        return option.points if option is not None and option.correct else 0.0

    def reads_xlsform(self, base: str, competence: bool) -> bool:
        return base in self.xlsform_bases and competence
