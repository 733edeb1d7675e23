"""What the form shows and reads: form fields to answers and back, questions with their controls.

Pure functions over an instrument definition, no database and no HTTP. A form field is named
by its question's code and carries strings: "1".."5" for a likert point, "yes"/"no", an option
code, a number as typed, free text; a `multiple` question sends one field per ticked option.
"""

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from services.surveys.instruments.definition import InstrumentDefinition, Question, Value
from services.surveys.instruments.question_types import LIKERT5_LABELS
from services.surveys.responses import scoring

FormValues = dict[str, list[str]]
Control = Literal["radio", "checkbox", "number", "text"]

YES, NO = "yes", "no"
_INTEGER = re.compile(r"[+-]?[0-9]{1,15}")
# Browsers send "2.5" from <input type=number>; a phone keyboard or an old browser may send "2,5".
_DECIMAL = re.compile(r"[+-]?[0-9]{0,15}[.,][0-9]{1,15}")
_MESSAGES = {"нужен ответ": "Ответьте на этот вопрос"}


@dataclass
class QuestionView:
    """One question as the page shows it."""

    question: Question
    number: int
    control: Control
    choices: list[tuple[str, str]]
    values: list[str]
    error: str | None = None
    condition: str | None = None  # when the question applies, in words (for a page without JS)
    relevant_on: str | None = None  # the earlier question it depends on, for the optional JS
    relevant_values: list[str] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.question.code

    @property
    def first_id(self) -> str:
        """The id of its first control: where a link of the error summary leads."""
        return f"f-{self.code}-0" if self.choices else f"f-{self.code}"

    @property
    def value(self) -> str:
        return self.values[0] if self.values else ""


@dataclass
class SectionView:
    number: int
    code: str
    title: str
    questions: list[QuestionView]


@dataclass
class FormView:
    """The sections, the errors (for the summary at the top) and the progress so far."""

    sections: list[SectionView]
    errors: list[tuple[str, str]]  # (id of the control, message)
    general_errors: list[str]
    answered: int  # required questions answered, of those the answers so far make apply
    required: int


def form_values(definition: InstrumentDefinition, pairs: Iterable[tuple[str, str]]) -> FormValues:
    """The submitted fields that name a question of the definition (buttons etc. left out)."""
    known = {q.code for q in definition.questions()}
    values: FormValues = {}
    for name, value in pairs:
        if name in known:
            values.setdefault(name, []).append(value.strip())
    return values


def _number(text: str) -> int | float | str:
    if _INTEGER.fullmatch(text):
        return int(text)
    if _DECIMAL.fullmatch(text):
        number = float(text.replace(",", "."))
        return int(number) if number.is_integer() else number
    return text  # not a number: kept, so that the check says so next to the question


def _typed(question: Question, text: str) -> Any:
    match question.type:
        case "likert5":
            return int(text) if _INTEGER.fullmatch(text) else text
        case "yes_no":
            return {YES: True, NO: False}.get(text, text)
        case "number":
            return _number(text)
        case _:
            return text


def answers_from(definition: InstrumentDefinition, values: FormValues) -> dict[str, Any]:
    """Answers as the API takes them: ints for likert, bools for yes/no, numbers, lists."""
    answers: dict[str, Any] = {}
    for question in definition.questions():
        given = [v for v in values.get(question.code, []) if v]
        if not given:
            continue
        if question.type == "multiple":
            answers[question.code] = list(dict.fromkeys(given))
        else:  # a radio group sends one value; a forged second one is ignored
            answers[question.code] = _typed(question, given[0])
    return answers


def _as_text(question: Question, value: Any) -> str:
    if question.type == "yes_no" and isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float):
        return f"{value:g}" if math.isfinite(value) else str(value)
    return str(value)


def values_from(definition: InstrumentDefinition, answers: dict[str, Any]) -> FormValues:
    """Form values of stored answers (a saved draft), so the form shows them checked."""
    values: FormValues = {}
    for question in definition.questions():
        value = answers.get(question.code)
        if value is None:
            continue
        items = value if isinstance(value, list) else [value]
        values[question.code] = [_as_text(question, v) for v in items]
    return values


def _choices(definition: InstrumentDefinition, question: Question) -> list[tuple[str, str]]:
    if question.type == "likert5":
        labels = LIKERT5_LABELS[definition.kind]
        return [(str(point), label) for point, label in enumerate(labels, start=1)]
    if question.type == "yes_no":
        return [(YES, "Да"), (NO, "Нет")]
    return [(o.code, o.text) for o in question.options]


def _control(question: Question) -> Control:
    if question.type == "multiple":
        return "checkbox"
    if question.type in ("number", "text"):
        return question.type  # type: ignore[return-value]
    return "radio"


def _described(definition: InstrumentDefinition, source: Question, value: Value) -> tuple[str, str]:
    """A relevance value as a form value and in words."""
    if source.type == "yes_no":
        return (YES, "«Да»") if value else (NO, "«Нет»")
    if source.type == "likert5":
        return str(value), f"«{LIKERT5_LABELS[definition.kind][int(value) - 1]}»"
    option = next((o for o in source.options if o.code == value), None)
    return str(value), f"«{option.text}»" if option else str(value)


def _message(text: str) -> str:
    text = _MESSAGES.get(text, text)
    return text[:1].upper() + text[1:]


def _progress(definition: InstrumentDefinition, answers: dict[str, Any]) -> tuple[int, int]:
    kept = scoring.check_answers(definition, answers, complete=False, drop_irrelevant=True).answers
    answered = required = 0
    for question in definition.questions():
        rel = question.relevant
        if not question.required or (rel and kept.get(rel.question) not in rel.values()):
            continue
        required += 1
        answered += question.code in kept
    return answered, required


def build(
    definition: InstrumentDefinition,
    values: FormValues,
    errors: list[dict[str, Any]] | None = None,
) -> FormView:
    """The page's view of the definition with these values and the errors of a failed check."""
    by_question: dict[str, str] = {}
    general: list[str] = []
    for error in errors or []:
        loc = error.get("loc", [])
        if len(loc) == 3 and loc[:2] == ["body", "answers"]:
            by_question.setdefault(str(loc[2]), _message(str(error.get("msg", ""))))
        else:
            general.append(_message(str(error.get("msg", ""))))
    numbers: dict[str, int] = {}
    sources: dict[str, Question] = {}
    sections, summary = [], []
    for s, section in enumerate(definition.sections, start=1):
        views = []
        for question in section.questions:
            numbers[question.code] = len(numbers) + 1
            view = QuestionView(
                question=question,
                number=numbers[question.code],
                control=_control(question),
                choices=_choices(definition, question)
                if question.type not in ("number", "text")
                else [],
                values=values.get(question.code, []),
                error=by_question.get(question.code),
            )
            if (rel := question.relevant) is not None:
                source = sources[rel.question]
                pairs = [_described(definition, source, v) for v in rel.values()]
                view.relevant_on = rel.question
                view.relevant_values = [p[0] for p in pairs]
                view.condition = (
                    f"Отвечайте, если в вопросе {numbers[rel.question]} выбран ответ "
                    + " или ".join(p[1] for p in pairs)
                )
            if view.error:
                summary.append((view.first_id, f"Вопрос {view.number}: {view.error}"))
            sources[question.code] = question
            views.append(view)
        sections.append(SectionView(s, section.code, section.title, views))
    answered, required = _progress(definition, answers_from(definition, values))
    return FormView(sections, summary, general, answered, required)
