"""Question types answered by choosing: the question's own options, yes/no, a test item."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from services.surveys.instruments.question_types.base import (
    NO,
    YES,
    QuestionType,
    Value,
    fail,
)

if TYPE_CHECKING:
    from services.surveys.instruments.definition import Question


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


class Single(_Choice):
    """One option of the question's own."""

    name = "single"
    xlsform_bases = ("select_one",)

    def reads_xlsform(self, base: str, competence: bool) -> bool:
        return base in self.xlsform_bases and not competence


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
