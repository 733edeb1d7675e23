"""One posted participant of a school's set checked against the task specification
(`check_participant`), and what a participant's pseudonymous code may be (`pseudonym_problem`):
a code, never a name."""

import re
from typing import Any

from services.api.assessment_tasks.schemas import ParticipantScores
from services.api.assessment_tasks.service import Specification, task_number
from services.api.assessments.rows import integer
from services.api.assessments.service import normalize_class_label
from shared.bulk import RowError
from shared.errors import Invalid

FIELDS = ("code", "class_label", "variant", "task_scores", "journal_mark")
_CODE = re.compile(r"[0-9A-Za-zА-Яа-яЁё№_\-./]{1,40}")
_LETTERS = re.compile(r"[A-Za-zА-Яа-яЁё]{3,}")


def pseudonym_problem(code: str) -> str | None:
    """Why `code` cannot be a participant's pseudonymous code, or None when it can.

    A code is up to 40 characters of digits, letters and - _ . / №, with at least one digit,
    no spaces, and no three letters in a row: "10017", "5А-07" and "AB12" are codes; "Иванов
    Пётр", "Petrov" and "ivanov1" read as names and are refused."""
    if not _CODE.fullmatch(code):
        return "код участника — до 40 цифр, букв и знаков - _ . / № без пробелов"
    if not any(ch.isdigit() for ch in code):
        return "в коде участника нет ни одной цифры: похоже на имя, а хранится только код"
    if _LETTERS.search(code):
        return "в коде участника три буквы подряд: похоже на имя, а хранится только код"
    return None


def check_participant(
    item: Any, spec: Specification, grade: int
) -> ParticipantScores | list[RowError]:
    """One posted participant against the specification: every problem, each naming the
    participant and, for a score, the task."""
    errors: list[RowError] = []

    def fail(loc: list[str | int], msg: str) -> None:
        errors.append(RowError(loc=loc, msg=msg))

    if not isinstance(item, dict):
        return [RowError(loc=[], msg="ожидается объект участника")]
    for key in item:
        if key not in FIELDS:
            fail([str(key)], "лишнее поле")
    code = item.get("code")
    if isinstance(code, int) and not isinstance(code, bool):
        code = str(code)
    if not isinstance(code, str) or not code.strip():
        return [*errors, RowError(loc=["code"], msg="обязательное поле: код участника")]
    code = code.strip()
    who = f"участник {code}" if (problem := pseudonym_problem(code)) is None else "участник"
    if problem is not None:
        fail(["code"], problem)
    class_label = None
    if item.get("class_label") is not None:
        try:
            class_label = normalize_class_label(str(item["class_label"]), grade)
        except Invalid as exc:
            fail(["class_label"], f"{who}: {exc.detail}")
    variant = None
    if item.get("variant") is not None:
        variant = integer(item["variant"])
        if variant is None or not 1 <= variant <= 999:
            fail(["variant"], f"{who}: вариант — целое число от 1 до 999")
    journal = None
    if item.get("journal_mark") is not None:
        journal = integer(item["journal_mark"])
        if journal is None or not 2 <= journal <= 5:
            fail(["journal_mark"], f"{who}: отметка по журналу — целое число от 2 до 5")
    scores = item.get("task_scores")
    if not isinstance(scores, dict):
        fail(["task_scores"], f"{who}: ожидается объект {{номер задания: балл}}")
        return errors
    maxima = {task.number: task.max_score for task in spec.tasks}
    taken: dict[str, int] = {}
    for written, value in scores.items():
        number = task_number(str(written)) or str(written)  # "3,1" stays unknown, "1к1" is 1К1
        score = integer(value)
        if number not in maxima:
            fail(["task_scores", number], f"{who}: задания {number} нет в спецификации")
        elif score is None or score < 0:
            fail(["task_scores", number], f"{who}, задание {number}: балл — целое число от 0")
        elif score > maxima[number]:
            message = f"{who}, задание {number}: балл {score} выше максимального {maxima[number]}"
            fail(["task_scores", number], message)
        else:
            taken[number] = score
    named = {task_number(str(written)) or str(written) for written in scores}
    for number in maxima:
        if number not in named:
            fail(["task_scores", number], f"{who}: нет балла за задание {number}")
    if errors:
        return errors
    ordered = {task.number: taken[task.number] for task in spec.tasks}
    total = sum(ordered.values())
    return ParticipantScores(
        code=code,
        class_label=class_label,
        variant=variant,
        task_scores=ordered,
        total_score=total,
        mark=spec.mark(total),
        journal_mark=journal,
    )
