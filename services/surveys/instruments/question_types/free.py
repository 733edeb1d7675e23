"""Question types answered in free text, or not answered: a text, a note, a calculation."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from services.surveys.instruments.question_types.base import QuestionType, Value, fail
from shared.validation import MEASURE_MAX

if TYPE_CHECKING:
    from services.surveys.instruments.definition import Question

MAX_TEXT = 5000  # characters of a text answer


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


class Note(_Unanswered):
    """A text shown between the questions (XLSForm `note`)."""

    name = "note"
    widget = "note"
    xlsform_bases = ("note",)


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
