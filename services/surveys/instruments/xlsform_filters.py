"""Checks of an XLSForm's `choice_filter` cells that can be decided from the sheets alone:
a filter must read columns the choices sheet has, and must be able to offer a choice.

A filter cannot offer any choice when it refers to its own question (its choices would wait
for its answer), to a question asked after it (whose answer is never there when the filter is
evaluated, in the web form as in the answer check, which follow the sheet's order), or when
no choice passes it whatever the answers it reads are (decided when those are select_one
questions, by trying each of their choices and no answer; a filter reading other answers is
left alone). ODK Validate reports the first as a cycle; the others import in pyxform and leave
a question nobody can answer.
"""

from __future__ import annotations

import itertools
import re

from services.surveys.instruments import xpath
from services.surveys.instruments.xlsform_common import Problems
from services.surveys.instruments.xlsform_sheets import Sheet
from services.surveys.instruments.xlsform_survey import SourceRow

# A question's list: `select_one grades`, `select_multiple grades or_other`.
_LIST = re.compile(r"select[ _](one|multiple)\s+(\S+)|select all that apply\s+(\S+)")
_SELECT_ONE = re.compile(r"select[ _]one\s+(\S+)")
# Combinations of answers tried at most, beyond which a filter is not decided.
_MAX_TRIES = 2000


def check_choice_filters(survey: Sheet, choices: Sheet | None) -> None:
    """XLSFormError naming every survey row whose choice_filter reads a column the choices
    sheet lacks or can never offer a choice; nothing when there is none."""
    columns = {h.split("::", 1)[0] for h in (choices.headers if choices else []) if h}
    lists: dict[str, list[dict[str, str]]] = {}
    for row in choices.filled() if choices else []:
        lists.setdefault(row.text("list_name"), []).append(row.cells)
    rows = survey.filled()
    order = {row.text("name"): i for i, row in enumerate(rows) if row.text("name")}
    problems = Problems()
    for index, row in enumerate(rows):
        expression = row.text("choice_filter")
        if not expression:
            continue
        try:
            tree = xpath.parse(expression)
        except xpath.ExpressionError:
            continue  # `check_rows` names what does not parse
        missing = sorted(xpath.named(tree, "name") - columns)
        if missing:
            known = ", ".join(sorted(columns)) or "нет"
            problems.add(
                row.error(
                    "choice_filter",
                    f"choice_filter читает столбец {missing[0]}, которого нет на листе choices "
                    f"(его столбцы: {known})",
                )
            )
            continue
        problem = _deadlock(row, tree, index, order, rows, lists)
        if problem is not None:
            problems.add(row.error("choice_filter", problem))
    problems.check()


def _deadlock(
    row: SourceRow,
    tree: xpath.Node,
    index: int,
    order: dict[str, int],
    rows: list[SourceRow],
    lists: dict[str, list[dict[str, str]]],
) -> str | None:
    """Why the filter can never offer a choice; None when it can or that is not decidable."""
    name = row.text("name")
    references = sorted(xpath.references(tree))
    if name in references:
        return (
            f"choice_filter ссылается на свой же вопрос ${{{name}}}: варианты ждали бы ответа, "
            "выбранного среди них самих, поэтому не будет предложен ни один"
        )
    later = [ref for ref in references if order.get(ref, -1) > index]
    if later:
        return (
            f"choice_filter ссылается на ${{{later[0]}}} — вопрос, который задаётся после "
            f"«{name}»: когда предлагаются варианты, ответа на него ещё нет (перенесите "
            f"${{{later[0]}}} выше «{name}»)"
        )
    found = _LIST.match(" ".join(row.text("type").split()).lower())
    offered = lists.get(next((g for g in found.groups()[1:] if g), "")) if found else None
    if not offered:
        return None  # a built-in or a missing list: named elsewhere
    domains = []
    for ref in references:
        kind = _SELECT_ONE.match(" ".join(rows[order[ref]].text("type").split()).lower())
        if kind is None or kind.group(1) not in lists:
            return None  # answers we cannot list: not decidable
        domains.append(["", *(choice.get("name", "") for choice in lists[kind.group(1)])])
    tries = 1
    for domain in domains:
        tries *= len(domain)
    if tries > _MAX_TRIES:
        return None
    for values in itertools.product(*domains):
        answers = dict(zip(references, values, strict=True))
        for choice in offered:
            try:
                if xpath.holds(tree, xpath.Context(answers, choice=choice)):
                    return None
            except (ValueError, ArithmeticError):
                return None
    refs = ", ".join(f"${{{r}}}" for r in references)
    after = f" ни при каком ответе на {refs}" if references else ""
    return (
        f"choice_filter «{row.text('choice_filter')}» не оставляет ни одного варианта{after}: "
        f"на вопрос «{name}» никогда не ответить"
    )
