"""Answers checked against an instrument version, turned into rows, and scored.

Pure functions: no database, no HTTP, so that validation and scoring are tested on their own.
"""

from dataclasses import dataclass
from typing import Any

from services.surveys.instruments.definition import InstrumentDefinition, Question
from services.surveys.instruments.question_types import question_type


@dataclass
class Checked:
    """The answers kept (irrelevant ones dropped when asked to) and the problems found."""

    answers: dict[str, Any]
    errors: list[dict[str, Any]]


def _error(code: str, message: str) -> dict[str, Any]:
    return {"loc": ["body", "answers", code], "msg": message}


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
        problem = question_type(question.type).check_answer(question, value)
        if problem:
            errors.append(_error(question.code, problem))
        else:
            kept[question.code] = value
    return Checked(kept, errors)


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
        rows.append(
            {"question": question.code, "positive": positive} | kind.stored(question, value)
        )
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
