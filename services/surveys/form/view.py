"""What the form shows and reads: form fields to answers and back, questions with their controls.

Pure functions over an instrument definition, no database and no HTTP. A form field is named
by its question's code and carries strings: "1".."5" for a likert point, "yes"/"no", an option
code, a number as typed, free text; a `multiple` question sends one field per ticked option.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from services.surveys.instruments import xpath
from services.surveys.instruments.definition import InstrumentDefinition, Question
from services.surveys.instruments.question_types import Control, question_type
from services.surveys.instruments.xlsform_writer import format_relevant
from services.surveys.responses import scoring
from shared.errors import Invalid

FormValues = dict[str, list[str]]

_MESSAGES = {"нужен ответ": "Ответьте на этот вопрос"}


@dataclass
class QuestionView:
    """One question as the page shows it."""

    question: Question
    # Its place among the questions shown with the answers so far, counting from 1; 0 for a
    # note or a calculation, and for a question these answers leave out (the form's script
    # renumbers the shown ones as answers change, so that the numbers seen have no gaps).
    number: int
    control: Control
    choices: list[tuple[str, str]]
    values: list[str]
    error: str | None = None
    # When the question applies, in words (for a page without JS): "Отвечайте, если в вопросе
    # {condition_source} {condition}", the source being the earlier question's number, or its
    # text in quotes while it has none.
    condition: str | None = None
    condition_source: str | None = None
    relevant_on: str | None = None  # the earlier question it depends on, for the optional JS
    relevant_values: list[str] = field(default_factory=list)
    # The form's logic as the browser evaluates it (`static/xpath.js`): JSON trees.
    relevance: str | None = None  # when it is shown
    calculation: str | None = None  # its value, for a `calculate`
    choice_filter: str | None = None  # which choices it offers
    required_when: str | None = None  # when it is required, for a `required` expression
    choice_data: dict[str, str] = field(default_factory=dict)  # per choice: what a filter reads
    # The questions its choice filter reads (`scoring.filter_reads`: a calculation stands for
    # those it reads), as (code, number on the page or «text»): named by the script's note
    # while they leave no choice; `waiting`: those still to answer when a refused post left it
    # unanswered (its error asks for them first).
    reads: list[tuple[str, str]] = field(default_factory=list)
    waiting: list[tuple[str, str]] = field(default_factory=list)
    # Its error asks for an answer (the required message): the form's script hides it, and
    # its line in the summary, once the question is answered.
    unanswered: bool = False

    @property
    def widget(self) -> str:
        """The template of its controls: `templates/questions/<widget>.html`."""
        return question_type(self.question.type).widget

    @property
    def marked(self) -> bool:
        """Whether a choice shows its value (a likert point) before its label."""
        return question_type(self.question.type).marked

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


def answers_from(definition: InstrumentDefinition, values: FormValues) -> dict[str, Any]:
    """Answers as the API takes them: ints for likert, bools for yes/no, numbers, lists.
    Invalid (422) naming each question of one answer (all but checkboxes) sent more than
    one value: a form of ours never sends two, and no one of them is the answer."""
    answers, errors = _answers(definition, values)
    if errors:
        codes = ", ".join(str(e["loc"][-1]) for e in errors)
        raise Invalid(f"Ответы не приняты: {codes}", errors=errors)
    return answers


def _answers(
    definition: InstrumentDefinition, values: FormValues
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The answers of `values`, and the errors of questions of one answer sent more (left
    out of the answers)."""
    answers: dict[str, Any] = {}
    errors: list[dict[str, Any]] = []
    for question in definition.questions():
        given = [v for v in values.get(question.code, []) if v]
        if not given:
            continue
        kind = question_type(question.type)
        if kind.control != "checkbox" and len(given) > 1:
            errors.append(_repeated(question, len(given)))
            continue
        answers[question.code] = kind.from_form(given)
    return answers, errors


def _repeated(question: Question, count: int) -> dict[str, Any]:
    """The error of a question of one answer sent `count` values (a forged or broken post)."""
    one = "выберите один вариант" if question_type(question.type).control == "radio" else ""
    message = (
        f"на вопрос «{question.text}» прислано несколько ответов ({count}), а ответ может "
        f"быть только один{': ' + one if one else ''}"
    )
    return {"loc": ["body", "answers", question.code], "msg": message, "type": "repeated"}


def values_from(definition: InstrumentDefinition, answers: dict[str, Any]) -> FormValues:
    """Form values of stored answers (a saved draft), so the form shows them checked."""
    values: FormValues = {}
    for question in definition.questions():
        value = answers.get(question.code)
        if value is None:
            continue
        items = value if isinstance(value, list) else [value]
        values[question.code] = [question_type(question.type).form_text(v) for v in items]
    return values


def _tree(expression: str | None) -> str | None:
    return None if expression is None else json.dumps(xpath.parse(expression))


def logic(definition: InstrumentDefinition, question: Question) -> dict[str, Any]:
    """The question's relevance, calculation and choice filter as JSON trees for the browser."""
    parts = [format_relevant(definition, question), question.relevant_expression]
    conditions = [xpath.parse(p) for p in parts if p]
    relevance = None
    if conditions:
        tree = conditions[0] if len(conditions) == 1 else ["and", *conditions]
        relevance = json.dumps(tree)
    return {
        "relevance": relevance,
        "calculation": _tree(question.calculation),
        "choice_filter": _tree(question.choice_filter),
        "required_when": _tree(question.required_expression),
        "choice_data": {
            o.code: json.dumps({**(o.properties or {}), "name": o.code}) for o in question.options
        },
    }


def _message(text: str) -> str:
    text = _MESSAGES.get(text, text)
    return text[:1].upper() + text[1:]


def asks_first(named: list[tuple[str, str]]) -> str:
    """«Сначала ответьте на вопрос 1» (or «на вопросы 1 и 3»): for a question whose choices
    wait for these, each (code, number on the page or «text»)."""
    return "Сначала ответьте на " + scoring.questions_named([text for _, text in named])


def _progress(
    definition: InstrumentDefinition, answers: dict[str, Any], state: scoring.Shown
) -> tuple[int, int]:
    kept = scoring.check_answers(definition, answers, complete=False, drop_irrelevant=True).answers
    answered = required = 0
    for question in definition.questions():
        if not state.required.get(question.code):
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
    missing: set[str] = set()  # required questions left blank (`scoring._error`'s "missing")
    general: list[str] = []
    for error in errors or []:
        loc = error.get("loc", [])
        if len(loc) == 3 and loc[:2] == ["body", "answers"]:
            by_question.setdefault(str(loc[2]), _message(str(error.get("msg", ""))))
            if error.get("type") == "missing":
                missing.add(str(loc[2]))
        else:
            general.append(_message(str(error.get("msg", ""))))
    answers, _ = _answers(definition, values)  # a refused post's page shows what it can
    state = scoring.shown(definition, answers)
    # Notes and calculations take no number, nor questions these answers leave out; numbered
    # first, so that a question may name a later one by its number.
    numbered = [
        q.code
        for q in definition.questions()
        if question_type(q.type).control != "none" and state.relevant.get(q.code, True)
    ]
    numbers = {code: n for n, code in enumerate(numbered, start=1)}
    sources: dict[str, Question] = {}
    texts = {q.code: q.text for q in definition.questions()}

    def shown_as(code: str) -> tuple[str, str]:
        return code, str(numbers[code]) if code in numbers else f"«{texts[code]}»"

    sections, summary = [], []
    for s, section in enumerate(definition.sections, start=1):
        views = []
        for question in section.questions:
            kind = question_type(question.type)
            view = QuestionView(
                question=question,
                number=numbers.get(question.code, 0),
                control=kind.control,
                choices=kind.choices(question, definition.kind),
                values=values.get(question.code, []),
                error=by_question.get(question.code),
                **logic(definition, question),
            )
            view.reads = [shown_as(c) for c in scoring.filter_reads(definition, question)]
            view.unanswered = question.code in missing
            if view.error and question.code in state.waiting:
                # Not «Ответьте на этот вопрос»: it offers no choice until these are answered.
                view.waiting = [shown_as(code) for code in state.waiting[question.code]]
                view.error = asks_first(view.waiting)
            if (rel := question.relevant) is not None:
                source = sources[rel.question]
                described = question_type(source.type).described
                pairs = [described(source, v, definition.kind) for v in rel.values()]
                view.relevant_on = rel.question
                view.relevant_values = [p[0] for p in pairs]
                view.condition = "выбран ответ " + " или ".join(p[1] for p in pairs)
                number = numbers.get(rel.question)
                view.condition_source = str(number) if number else f"«{source.text}»"
            if view.error:
                named = f"Вопрос {view.number}" if view.number else f"Вопрос «{question.text}»"
                summary.append((view.first_id, f"{named}: {view.error}"))
            sources[question.code] = question
            views.append(view)
        sections.append(SectionView(s, section.code, section.title, views))
    answered, required = _progress(definition, answers, state)
    return FormView(sections, summary, general, answered, required)
