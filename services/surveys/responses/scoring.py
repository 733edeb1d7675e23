"""Answers checked against an instrument version, turned into rows, and scored.

Pure functions: no database, no HTTP, so that validation and scoring are tested on their own.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from services.surveys.instruments import xpath
from services.surveys.instruments.definition import InstrumentDefinition, Question
from services.surveys.instruments.question_types import UNSURE, question_type
from shared.comparison import COMPARE


@dataclass
class Checked:
    """The answers kept (irrelevant ones dropped when asked to), the problems found, and the
    values of the relevant `calculate` questions worked out from the answers (ODK text,
    `xpath.to_text`; an empty result left out): the server's, never sent by a client (an
    answer to a calculate is refused), stored with the answers on submission."""

    answers: dict[str, Any]
    errors: list[dict[str, Any]]
    calculated: dict[str, str] = field(default_factory=dict)

    @property
    def stored(self) -> dict[str, Any]:
        """What a submission stores: the answers and the calculated values."""
        return self.answers | self.calculated


def _error(code: str, message: str, kind: str | None = None) -> dict[str, Any]:
    """One error of the problem's `errors`; `kind` its `type` where a client (the form) tells
    it apart by more than its words: "missing" for a required question left blank."""
    error: dict[str, Any] = {"loc": ["body", "answers", code], "msg": message}
    if kind:
        error["type"] = kind
    return error


def _relevant(question: Question, answers: dict[str, Any], texts: dict[str, str]) -> bool:
    rel = question.relevant
    if rel is not None:
        given = answers.get(rel.question)
        chosen = given if isinstance(given, list) else [given]  # selected() on a multiple
        if given is None or not any(v in rel.values() for v in chosen):
            return False
    expression = question.relevant_expression
    return expression is None or xpath.holds(xpath.parse(expression), xpath.Context(texts))


def _required(question: Question, texts: dict[str, str]) -> bool:
    expression = question.required_expression
    if expression is not None:
        return xpath.holds(xpath.parse(expression), xpath.Context(texts))
    return question.required


def offered(question: Question, texts: dict[str, str]) -> list[str]:
    """The codes of the options a `choice_filter` leaves for these answers (all without one)."""
    if question.choice_filter is None:
        return question.option_codes()
    tree = xpath.parse(question.choice_filter)
    return [
        o.code
        for o in question.options
        if xpath.holds(tree, xpath.Context(texts, choice={**(o.properties or {}), "name": o.code}))
    ]


def filter_reads(definition: InstrumentDefinition, question: Question) -> list[str]:
    """The codes of the questions a respondent answers that a `choice_filter` reads, in the
    definition's order: a calculation it reads stands for the questions its value reads (and so
    on through calculations), a note for none. [] without a filter."""
    if question.choice_filter is None:
        return []
    by_code = {q.code: q for q in definition.questions()}
    read: set[str] = set()
    todo = list(xpath.references(xpath.parse(question.choice_filter)))
    while todo:
        code = todo.pop()
        found = by_code.get(code)
        if code in read or found is None:
            continue
        read.add(code)
        if found.calculation is not None and not question_type(found.type).answered:
            todo += xpath.references(xpath.parse(found.calculation))
    return [
        q.code for q in definition.questions() if q.code in read and question_type(q.type).answered
    ]


def waiting_for(
    definition: InstrumentDefinition,
    question: Question,
    texts: dict[str, str],
    relevant: dict[str, bool],
) -> list[str] | None:
    """Whether a question can be answered yet: None while it offers a choice (or has no choice
    filter); when its filter leaves none, the questions of `filter_reads` still to answer: those
    relevant for these answers with no text ([]: nothing is left to answer and still no choice
    is left, so there is nothing to answer). `texts` and `relevant` are the whole form's."""
    if question.choice_filter is None or offered(question, texts):
        return None
    return [
        code
        for code in filter_reads(definition, question)
        if relevant.get(code, True) and not texts.get(code)
    ]


def questions_named(named: Sequence[str]) -> str:
    """«вопрос 1», «вопросы 1 и 3», «вопросы 1, 2 и 3»: questions each already named (a number,
    «text», «text» (code), or markup), with the noun for as many; one, at least."""
    listed = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " и " + named[-1]
    return f"{'вопрос' if len(named) == 1 else 'вопросы'} {listed}"


def waiting_message(definition: InstrumentDefinition, codes: list[str]) -> str:
    """«сначала ответьте на вопрос «Ступень обучения» (edu_level)»: the API's words for a
    required question whose choices wait for these unanswered ones (the form names them by
    their numbers on the page)."""
    texts = {q.code: q.text for q in definition.questions()}
    named = questions_named([f"«{texts[code]}» ({code})" for code in codes])
    return f"сначала ответьте на {named}: от ответа зависят варианты этого вопроса"


# An answer its choice filter does not offer (said instead «сначала ответьте на …» when the
# filter offers nothing because a question it reads is unanswered).
NOT_OFFERED = "такой вариант не предлагается при ваших ответах"


def _logic_problem(question: Question, value: Any, texts: dict[str, str]) -> str | None:
    """Why an answer of the right type breaks the form's choice_filter or constraint."""
    if question.choice_filter is not None:
        allowed = offered(question, texts)
        chosen = value if isinstance(value, list) else [value]
        if any(v not in allowed for v in chosen):
            return NOT_OFFERED
    if question.constraint is not None:
        context = xpath.Context(texts, current=xpath.answer_text(value))
        if not xpath.holds(xpath.parse(question.constraint), context):
            return question.constraint_message or "ответ не подходит под условие анкеты"
    return None


def _type_problem(question: Question, value: Any) -> str | None:
    """The type's objection; the form's constraint_message when only min or max is broken."""
    kind = question_type(question.type)
    problem = kind.check_answer(question, value)
    bounded = question.min is not None or question.max is not None
    if problem and question.constraint_message and bounded:
        unbounded = question.model_copy(update={"min": None, "max": None})
        if kind.check_answer(unbounded, value) is None:
            return question.constraint_message
    return problem


@dataclass
class Shown:
    """Which questions apply to the answers, which of them are required, calculated values."""

    relevant: dict[str, bool]
    required: dict[str, bool]
    texts: dict[str, str]
    # A question whose choice filter offers no choice while questions it reads are unanswered:
    # their codes, in the definition's order (`waiting_for`).
    waiting: dict[str, list[str]] = field(default_factory=dict)


# A submission without one answer: refused, as it would count as a respondent (the response
# rate, the disclosure minimum) while saying nothing.
EMPTY = "Анкета пуста: ответьте хотя бы на один вопрос"


def check_answers(
    definition: InstrumentDefinition,
    answers: dict[str, Any],
    *,
    complete: bool,
    drop_irrelevant: bool = False,
) -> Checked:
    """Unknown questions, wrong values, irrelevant answers, and (when `complete`) missing ones.

    Questions are read in order, so a condition sees the answers before it (as ODK values:
    `xpath.answer_text`), and a `calculate` sees its value worked out; whether a blank
    question waits for others (`waiting_for`) is judged on the whole form's. An answer to a question
    that is not shown for these answers is an error (an API client sent it), or dropped when
    `drop_irrelevant` (a form without JavaScript shows every question). A missing required
    answer says the form's `required_message`, a broken constraint its `constraint_message`.
    A text of spaces alone is no answer. A complete submission with no answer at all is an
    error at `answers` (`EMPTY`, type `empty_response`).
    """
    checked, _ = _walk(definition, answers, complete=complete, drop_irrelevant=drop_irrelevant)
    return checked


def shown(definition: InstrumentDefinition, answers: dict[str, Any]) -> Shown:
    """Which questions the answers (kept as a draft keeps them) make apply and required."""
    return _walk(definition, answers, complete=False, drop_irrelevant=True)[1]


def _walk(
    definition: InstrumentDefinition,
    answers: dict[str, Any],
    *,
    complete: bool,
    drop_irrelevant: bool,
) -> tuple[Checked, Shown]:
    errors: list[dict[str, Any]] = []
    known = {q.code for q in definition.questions()}
    errors += [
        _error(code, "нет такого вопроса в этой версии анкеты")
        for code in answers
        if code not in known
    ]
    kept: dict[str, Any] = {}
    calculated: dict[str, str] = {}
    state = Shown({}, {}, {})
    texts = state.texts
    # Relevant questions with a choice filter judged once every answer is read: blank ones and
    # those whose answer it does not offer (`refused`), where their error goes, whether required.
    filtered: list[tuple[Question, int, bool, bool]] = []
    for question in definition.questions():
        value = answers.get(question.code)
        # Spaces alone are no answer (a required «Что именно?» is not met by "   ").
        blank = value is None or value == [] or (isinstance(value, str) and not value.strip())
        relevant = state.relevant[question.code] = _relevant(question, kept, texts)
        kind = question_type(question.type)
        if not relevant:
            state.required[question.code] = False
            if not blank and not drop_irrelevant:
                errors.append(_error(question.code, "вопрос не задаётся при таких ответах"))
            continue
        if question.calculation is not None:
            value_of = xpath.evaluate(xpath.parse(question.calculation), xpath.Context(texts))
            # NaN or Infinity (`${a} div 0`) is no value, as an empty result is.
            finite = not isinstance(value_of, float) or math.isfinite(value_of)
            texts[question.code] = xpath.to_text(value_of) if finite else ""
            if texts[question.code] != "" and not kind.answered:
                calculated[question.code] = texts[question.code]
        required = state.required[question.code] = kind.answered and _required(question, texts)
        if blank:
            if question.choice_filter is not None:
                # Judged once every answer is read: its filter may read a later question.
                filtered.append((question, len(errors), required, False))
            elif complete and required:
                message = question.required_message or "нужен ответ"
                errors.append(_error(question.code, message, "missing"))
            continue
        problem = _type_problem(question, value) or _logic_problem(question, value, texts)
        if problem == NOT_OFFERED:
            filtered.append((question, len(errors), required, True))
        elif problem:
            errors.append(_error(question.code, problem))
        else:
            kept[question.code] = value
            texts[question.code] = xpath.answer_text(value)
    for question, at, required, refused in reversed(filtered):  # from the last, in place
        waits = waiting_for(definition, question, texts, state.relevant)
        if refused:  # its answer is not offered: for want of the answers it waits for?
            if waits:
                state.waiting[question.code] = waits
            message = waiting_message(definition, waits) if waits else NOT_OFFERED
            errors.insert(at, _error(question.code, message))
            continue
        if waits:
            state.waiting[question.code] = waits
        elif waits == []:  # no choice to make: nothing to require
            required = state.required[question.code] = False
        if complete and required:
            if waits:
                errors.insert(at, _error(question.code, waiting_message(definition, waits)))
            else:
                message = question.required_message or "нужен ответ"
                errors.insert(at, _error(question.code, message, "missing"))
    if complete and not kept and not errors:  # padding respondents would lift the minimum
        errors.append({"loc": ["body", "answers"], "msg": EMPTY, "type": "empty_response"})
    return Checked(kept, errors, calculated), state


def answer_rows(definition: InstrumentDefinition, answers: dict[str, Any]) -> list[dict[str, Any]]:
    """Exactly one row per answered question (several options in one array), with
    positivity and points worked out."""
    rows = []
    for question in definition.questions():
        if question.code not in answers:
            continue
        value = answers[question.code]
        kind = question_type(question.type)
        positive = kind.is_positive(question, value)
        row = {"question": question.code, "positive": positive} | kind.stored(question, value)
        if question.allow_unsure and value == UNSURE:
            row["unsure"] = True  # for the tallies only: no column of its own
        rows.append(row)
    return rows


@dataclass(frozen=True)
class Score:
    competence: str
    score: float
    max_score: float
    deficit: bool


def competence_scores(definition: InstrumentDefinition, answers: dict[str, Any]) -> list[Score]:
    """Points per competence (an unanswered item scores 0) and whether each is a deficit."""
    scores = []
    for competence in definition.competences:
        items = [q for q in definition.scored_items() if q.competence == competence.code]
        total = 0.0
        for item in items:
            total += question_type(item.type).points(item, answers.get(item.code))
        maximum = definition.max_score(competence.code)
        scores.append(
            Score(
                competence.code, total, maximum, COMPARE["<"](total, competence.threshold * maximum)
            )
        )
    return scores


def value_key(number: float) -> str:
    """How a numeric answer is named in tallies and aggregates: 4.0 → "4", 2.5 → "2.5"."""
    return f"{number:g}"


def tally_rows(rows: list[dict[str, Any]]) -> list[tuple[str, str, int, float, int, int, int]]:
    """What one response adds to the tallies: (question, value, n, sum, numbers, positive,
    rated), respondents first, sorted so that concurrent submissions lock rows in one order."""
    tallies = [("", "*", 1, 0.0, 0, 0, 0)]
    for row in rows:
        number = row.get("number")
        positive = row.get("positive")
        tallies.append(
            (
                row["question"],
                "*",
                # «Затрудняюсь ответить» is no answer on the scale: counted under its own value
                # ("unsure") only, never in a question's n, numbers or rated answers.
                0 if row.get("unsure") else 1,
                number or 0.0,
                int(number is not None),
                int(bool(positive)),
                int(positive is not None),
            )
        )
        values = list(row.get("options") or ())
        if row.get("option") is not None:
            values.append(row["option"])
        if number is not None:
            values.append(value_key(number))
        tallies += [(row["question"], value, 1, 0.0, 0, 0, 0) for value in values]
    return sorted(tallies)
