"""Answers checked against an instrument version, turned into rows, and scored.

Pure functions: no database, no HTTP, so that validation and scoring are tested on their own.
"""

import math
from dataclasses import dataclass
from typing import Any

from services.surveys.instruments.definition import InstrumentDefinition, Question
from shared.validation import MEASURE_MAX, MEASURE_MAX_TEXT

MAX_TEXT = 5000


@dataclass
class Checked:
    """The answers kept (irrelevant ones dropped when asked to) and the problems found."""

    answers: dict[str, Any]
    errors: list[dict[str, Any]]


def _error(code: str, message: str) -> dict[str, Any]:
    return {"loc": ["body", "answers", code], "msg": message}


def _check_value(question: Question, value: Any) -> str | None:
    """Why the value is not an answer to the question, or None."""
    kind = question.type
    if kind == "likert5":
        return None if type(value) is int and 1 <= value <= 5 else "ожидается целое число от 1 до 5"
    if kind == "yes_no":
        return None if isinstance(value, bool) else "ожидается true или false"
    if kind in ("single", "test_item"):
        if value in question.option_codes():
            return None
        return f"нет такого варианта; допустимы: {', '.join(question.option_codes())}"
    if kind == "multiple":
        if not isinstance(value, list) or not value or len(set(value)) != len(value):
            return "ожидается непустой список разных вариантов"
        unknown = [v for v in value if v not in question.option_codes()]
        return f"нет таких вариантов: {', '.join(map(str, unknown))}" if unknown else None
    if kind == "number":
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
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        return f"ожидается текст до {MAX_TEXT} символов"
    return None


def _relevant(question: Question, answers: dict[str, Any]) -> bool:
    if question.relevant is None:
        return True
    given = answers.get(question.relevant.question)
    return given is not None and given in question.relevant.values()


def check_answers(
    definition: InstrumentDefinition,
    answers: dict[str, Any],
    *,
    complete: bool,
    drop_irrelevant: bool = False,
) -> Checked:
    """Unknown questions, wrong values, irrelevant answers, and (when `complete`) missing ones.

    Questions are read in order, so a relevance condition sees the answer it depends on. An
    answer to a question that is not shown for these answers is an error (an API client sent
    it), or dropped when `drop_irrelevant` (a form without JavaScript shows every question).
    """
    errors: list[dict[str, Any]] = []
    known = {q.code for q in definition.questions()}
    errors += [
        _error(code, "нет такого вопроса в этой версии анкеты")
        for code in answers
        if code not in known
    ]
    kept: dict[str, Any] = {}
    for question in definition.questions():
        value = answers.get(question.code)
        blank = value is None or value == "" or value == []
        if not _relevant(question, kept):
            if not blank and not drop_irrelevant:
                errors.append(_error(question.code, "вопрос не задаётся при таких ответах"))
            continue
        if blank:
            if complete and question.required:
                errors.append(_error(question.code, "нужен ответ"))
            continue
        problem = _check_value(question, value)
        if problem:
            errors.append(_error(question.code, problem))
        else:
            kept[question.code] = value
    return Checked(kept, errors)


def answer_rows(definition: InstrumentDefinition, answers: dict[str, Any]) -> list[dict[str, Any]]:
    """Exactly one row per answered question (a `multiple`'s options in one array), with
    positivity and points worked out."""
    rows = []
    for question in definition.questions():
        if question.code not in answers:
            continue
        value = answers[question.code]
        positive = None
        if question.positive:  # an empty list: the question does not count towards satisfaction
            positive = value in question.positive
        base = {"question": question.code, "positive": positive}
        match question.type:
            case "likert5" | "number":
                rows.append(base | {"number": float(value)})
            case "yes_no":
                rows.append(base | {"number": 1.0 if value else 0.0})
            case "single":
                rows.append(base | {"option": value})
            case "multiple":
                # One row, the options in an array: (response, question) is the answer's key.
                # Positive when any chosen option is (None when the question names none).
                chosen = question.positive or ()
                positive = any(v in chosen for v in value) if chosen else None
                rows.append(base | {"options": list(value), "positive": positive})
            case "test_item":
                option = next(o for o in question.options if o.code == value)
                rows.append(
                    base | {"option": value, "points": option.points if option.correct else 0.0}
                )
            case _:
                rows.append(base | {"text": value})
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
            chosen = answers.get(item.code)
            option = next((o for o in item.options if o.code == chosen), None)
            total += option.points if option is not None and option.correct else 0.0
        maximum = definition.max_score(competence.code)
        scores.append(
            Score(competence.code, total, maximum, total < competence.threshold * maximum)
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
                1,
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
