"""pyxform's survey JSON (what `workbook_to_json` makes of the sheets) as our sections.

Every element pyxform reads either becomes part of the definition or is refused with the sheet,
row and column of its row: groups (nested ones too) become sections, their `relevant` joins the
condition of every question inside and their appearance the section's; `begin repeat` is
refused (an answer is stored once per response and question, so rows of a repeat have no
place); metadata rows (`start`, `end`, ...) are skipped, as ODK does not show them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from services.surveys.instruments.definition import OPTION_CODE_PATTERN
from services.surveys.instruments.question_types import question_type, type_from_xlsform
from services.surveys.instruments.xlsform_common import SURVEY, Problems, XLSFormError
from services.surveys.instruments.xlsform_expressions import (
    parse_constraint,
    parse_positive,
    parse_relevant,
)
from services.surveys.instruments.xlsform_types import (
    METADATA_TYPES,
    PLAIN_TYPES,
    flag,
    type_problem,
    unknown_type,
)

# pyxform's words for what `select_one`/`select_multiple` rows become.
_SELECTS = {"select one": "select_one", "select all that apply": "select_multiple"}
# What pyxform names the `or_other` choice and question, in our users' language.
_OR_OTHER = {"Other": "Другое", "Specify other.": "Уточните, что именно"}
_OWN_CHOICE_KEYS = frozenset({"name", "label", "correct", "points", "media", "image", "audio"})


@dataclass
class SourceRow:
    """A row of a sheet: its number and its cells (cleaned header → text)."""

    sheet: str
    number: int
    cells: dict[str, str]

    def error(self, column: str | None, message: str) -> XLSFormError:
        return XLSFormError(message, sheet=self.sheet, row=self.number, column=column)

    def text(self, column: str) -> str:
        return self.cells.get(column, "")

    def optional(self, column: str) -> str | None:
        return self.text(column) or None


@dataclass
class Placed:
    """Where the definition's sections, questions and options came from (for errors)."""

    # Per section: its row and, per question, the question's row and its options' rows.
    sections: list[tuple[SourceRow, list[tuple[SourceRow, list[SourceRow]]]]] = field(
        default_factory=list
    )


# The open group: pyxform's element, its row, its heading and the heading per language.
_Group = tuple[dict[str, Any], SourceRow, str, dict[str, dict[str, str]] | None]


@dataclass
class _Walk:
    survey_rows: dict[str, SourceRow]
    choice_rows: dict[tuple[str, str], SourceRow]
    language: str
    title: str
    numeric: Callable[[SourceRow, str], float | None]
    problems: Problems
    placed: Placed = field(default_factory=Placed)
    sections: list[dict[str, Any]] = field(default_factory=list)
    earlier: dict[str, dict[str, Any]] = field(default_factory=dict)
    open_section: bool = False  # whether questions may join the last section


def sections_from(
    survey: dict[str, Any],
    survey_rows: dict[str, SourceRow],
    choice_rows: dict[tuple[str, str], SourceRow],
    title: str,
    numeric: Callable[[SourceRow, str], float | None],
    problems: Problems | None = None,
) -> tuple[list[dict[str, Any]], Placed]:
    """The sections of the definition from pyxform's JSON. Each row refused is an
    XLSFormError added to `problems` (given: the caller raises them; else raised here)."""
    collected = problems if problems is not None else Problems()
    language = survey.get("default_language") or "default"
    walk = _Walk(survey_rows, choice_rows, language, title, numeric, collected)
    first = next(iter(survey_rows.values()), None)
    _children(walk, survey.get("children", []), [], None, first, {})
    if problems is None:
        collected.check()
    if not walk.sections and not collected.found:
        raise XLSFormError("на листе survey нет ни одного вопроса", sheet=SURVEY, row=2)
    return walk.sections, walk.placed


def _row(walk: _Walk, name: str, fallback: SourceRow | None) -> SourceRow:
    row = walk.survey_rows.get(name) or fallback
    return row or SourceRow(SURVEY, 2, {})


def _children(
    walk: _Walk,
    children: list[dict[str, Any]],
    conditions: list[str],
    group: _Group | None,
    previous: SourceRow | None,
    inherited: dict[str, str],
) -> None:
    """Questions join the open section; a group's `relevant` joins `conditions`, its
    `required` and appearance are `inherited` by the questions inside that set none."""
    for child in children:
        kind, name = child.get("type", ""), child.get("name", "")
        row = _row(walk, name, previous)
        if kind == "group":
            if name == "meta" and child.get("control", {}).get("bodyless"):
                continue  # pyxform's own instanceID
            inner = [*conditions]
            if child.get("bind", {}).get("relevant"):
                inner.append(_refs(child["bind"]["relevant"]))
            label, own = _texts(walk, child.get("label"), "title")
            outer_title, outer = (group[2], group[3]) if group else (None, None)
            title = f"{outer_title} — {label}" if outer_title and label else label or outer_title
            if own and outer_title:
                own = _nested_titles(outer_title, outer, own)
            passed = dict(inherited)
            if child.get("bind", {}).get("required"):
                passed["required"] = str(child["bind"]["required"])
            if child.get("control", {}).get("appearance"):
                passed["appearance"] = child["control"]["appearance"]
            walk.open_section = False
            _children(
                walk,
                child.get("children", []),
                inner,
                (child, row, title or name, own),
                row,
                passed,
            )
            walk.open_section = False  # questions after an inner group start a section again
            continue
        if kind == "repeat":
            walk.problems.add(
                row.error(
                    "type",
                    f"повторяющаяся группа «{name}» (begin repeat) не поддерживается: ответ "
                    "на вопрос хранится один раз на анкету; задайте вопрос о каждом элементе "
                    "отдельно",
                )
            )
            continue
        if kind in METADATA_TYPES or child.get("bind", {}).get("jr:preload"):
            continue
        if not walk.open_section:
            _open_section(walk, group, row)
        if kind not in {"note", "calculate"} and "required" in inherited:
            child = {**child, "bind": {"required": inherited["required"]} | child.get("bind", {})}
        if "appearance" in inherited and not child.get("control", {}).get("appearance"):
            child = {**child, "control": {**child.get("control", {}), **inherited}}
            child["control"].pop("required", None)
        try:
            question, option_rows = _question(walk, child, row, conditions)
        except XLSFormError as error:
            walk.problems.add(error)
            continue
        walk.sections[-1]["questions"].append(question)
        walk.placed.sections[-1][1].append((row, option_rows))
        walk.earlier[question["code"]] = question
        previous = row


def _nested_titles(
    outer_title: str, outer: dict[str, dict[str, str]] | None, own: dict[str, dict[str, str]]
) -> dict[str, dict[str, str]]:
    """A nested group's heading names the groups around it, in every language."""
    return {
        lang: {"title": f"{(outer or {}).get(lang, {}).get('title', outer_title)} — {t['title']}"}
        for lang, t in own.items()
    }


def _open_section(walk: _Walk, group: _Group | None, row: SourceRow) -> None:
    codes = {s["code"] for s in walk.sections}
    if group is None:
        code, title, appearance, translations, at = (
            f"section_{len(codes) + 1}",
            walk.title,
            None,
            None,
            row,
        )
    else:
        child, at, title, translations = group
        code = child["name"]
        appearance = child.get("control", {}).get("appearance")
    number = 2
    base = code
    while code in codes:
        code, number = f"{base}_{number}", number + 1
    walk.sections.append(
        {"code": code, "title": title, "questions": [], "appearance": appearance}
        | ({"translations": translations} if translations else {})
    )
    walk.placed.sections.append((at, []))
    walk.open_section = True


def _texts(
    walk: _Walk, value: str | dict[str, str] | None, key: str
) -> tuple[str | None, dict[str, dict[str, str]] | None]:
    """The text in the default language, and the texts per language when there are several."""
    if value is None or isinstance(value, str):
        return (_OR_OTHER.get(value, value) if value else None), None
    text = value.get(walk.language) or value.get("default") or next(iter(value.values()), None)
    if set(value) == {"default"}:
        return text, None
    return text, {lang: {key: text_} for lang, text_ in value.items()}


def _merge(target: dict[str, dict[str, str]], extra: dict[str, dict[str, str]] | None) -> None:
    for lang, texts in (extra or {}).items():
        target.setdefault(lang, {}).update(texts)


def _refs(expression: str) -> str:
    """`../name` (pyxform's own conditions) as `${name}`."""
    return re.sub(r"\.\./([A-Za-z_][\w.-]*)", r"${\1}", expression.strip())


def _question(
    walk: _Walk, child: dict[str, Any], row: SourceRow, conditions: list[str]
) -> tuple[dict[str, Any], list[SourceRow]]:
    kind, name = child["type"], child["name"]
    competence = row.text("competence") if row.text("name") == name else ""
    if kind in _SELECTS and child.get("itemset", "").endswith((".csv", ".xml", ".geojson")):
        raise row.error("type", _from_file(row.text("type") or kind))
    if kind in _SELECTS:
        cell = f"{_SELECTS[kind]} {child.get('list_name') or child.get('itemset')}"
    elif kind in PLAIN_TYPES:
        cell = kind
    elif "from file" in kind:
        raise row.error("type", _from_file(row.text("type") or kind))
    else:
        cell = row.text("type") or kind
        raise row.error("type", type_problem(cell, competence) or unknown_type(cell))
    try:
        type_name, list_name = type_from_xlsform(cell, competence)
    except ValueError as exc:
        raise row.error("type", str(exc)) from None
    bind = child.get("bind", {})
    text, translations = _texts(walk, child.get("label"), "text")
    translations = dict(translations or {})
    question: dict[str, Any] = {
        "code": name,
        "type": type_name,
        "text": text or (name if type_name == "calculate" else ""),
        "competence": competence or None,
        "points": walk.numeric(row, "points") if competence else None,
        "appearance": child.get("control", {}).get("appearance"),
        "choice_filter": child.get("choice_filter") or None,
        "calculation": bind.get("calculate") or None,
    }
    for key, source, target in (
        ("hint", child.get("hint"), "hint"),
        ("constraint_message", bind.get("jr:constraintMsg"), "constraint_message"),
        ("required_message", bind.get("jr:requiredMsg"), "required_message"),
    ):
        value, texts = _texts(walk, source, key)
        question[target] = value
        _merge(translations, texts)
    if translations:
        question["translations"] = translations
    option_rows: list[SourceRow] = []
    question["options"] = []
    if list_name is not None:
        for choice in child.get("choices", []):
            option, choice_row = _option(walk, list_name, choice, row)
            question["options"].append(option)
            option_rows.append(choice_row)
    _logic(walk, question, bind, row, conditions)
    try:
        question["positive"] = parse_positive(row.text("positive"), type_name)
    except ValueError as exc:
        raise row.error("positive", str(exc)) from None
    if cell := row.text("allow_unsure"):
        if (unsure := flag(cell)) is None:
            raise row.error("allow_unsure", f"ожидается yes или no, а написано «{cell}»")
        question["allow_unsure"] = unsure or None
    return question, option_rows


def _from_file(cell: str) -> str:
    return (
        f"тип «{cell}» не поддерживается: варианты из файла не загружаются, перечислите их "
        "на листе choices"
    )


def _option(
    walk: _Walk, list_name: str, choice: dict[str, Any], question_row: SourceRow
) -> tuple[dict[str, Any], SourceRow]:
    name = str(choice.get("name", ""))
    row = walk.choice_rows.get((list_name, name), question_row)
    text, translations = _texts(walk, choice.get("label"), "text")
    if not text:
        raise row.error("label", f"у варианта «{name}» нет подписи (label)")
    if not re.fullmatch(OPTION_CODE_PATTERN, name):
        raise row.error(
            "name",
            f"имя варианта «{name}» не подходит: нужны 1–40 латинских букв, цифр, _, - или ., "
            "без пробелов",
        )
    option: dict[str, Any] = {"code": name, "text": text}
    if row.sheet != SURVEY:
        correct = flag(row.text("correct"))
        if correct is None:
            raise row.error("correct", f"ожидается yes или no, а написано «{row.text('correct')}»")
        option["correct"] = correct
        option["points"] = walk.numeric(row, "points") or 0
    if translations:
        option["translations"] = translations
    for key, value in choice.items():
        if key in {"name", "label"}:
            continue
        if key in {"media", "image", "audio"} or not isinstance(value, str):
            column = f"{key}::…" if isinstance(value, dict) else key
            raise row.error(column, f"вариант «{name}»: {key} (медиафайлы) не поддерживается")
    properties = {k: str(v) for k, v in choice.items() if k not in _OWN_CHOICE_KEYS}
    if properties:
        option["properties"] = properties
    return option, row


def _logic(
    walk: _Walk,
    question: dict[str, Any],
    bind: dict[str, Any],
    row: SourceRow,
    conditions: list[str],
) -> None:
    """relevant, required and constraint: the structured form where it fits, else expressions."""
    required = str(bind.get("required", ""))
    given = flag(required)
    question["required"] = bool(given)
    question["required_expression"] = required.strip() if given is None else None
    own = _refs(bind.get("relevant", "")) or None
    parts = [*conditions, *([own] if own else [])]
    question["relevant"] = question["relevant_expression"] = None
    if len(parts) == 1:
        try:
            # The structured form where it fits (what the bank's JSON writes).
            question["relevant"] = parse_relevant(parts[0], walk.earlier)
        except ValueError:
            question["relevant_expression"] = parts[0]  # beyond it: kept as an expression
    elif parts:
        question["relevant_expression"] = " and ".join(f"({p})" for p in parts)
    _constraint(question, bind)


def _constraint(question: dict[str, Any], bind: dict[str, Any]) -> None:
    constraint = bind.get("constraint", "").strip() or None
    question["min"] = question["max"] = question["constraint"] = None
    if constraint is not None:
        try:
            if not question_type(question["type"]).ranged:
                raise ValueError("not a number")
            question["min"], question["max"] = parse_constraint(constraint)
        except ValueError:
            question["constraint"] = constraint
