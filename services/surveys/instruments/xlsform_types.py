"""What a survey row's `type` cell and its yes/no cells (`required`) may hold, as our reader
takes them before and after pyxform."""

from __future__ import annotations

import re

from services.surveys.instruments.question_types import type_from_xlsform

METADATA_TYPES = frozenset(
    {
        "start",
        "end",
        "today",
        "deviceid",
        "username",
        "audit",
        "phonenumber",
        "simserial",
        "subscriberid",
        "email",
        "start-geopoint",
    }
)
PLAIN_TYPES = frozenset({"integer", "decimal", "text", "note", "calculate"})
_TRUE = frozenset({"yes", "true", "true()", "1", "да"})
_FALSE = frozenset({"", "no", "false", "false()", "0", "нет"})
_KNOWN_TYPE = re.compile(
    r"(begin|end)[ _](group|repeat)\b.*"
    r"|select[ _](one|multiple)(_from_file)?\s+\S+(\s+or[ _]other)?"
    r"|select all that apply\s+\S+(\s+or[ _]other)?"
)


def unknown_type(cell: str) -> str:
    """The message for a type we do not read."""
    return (
        f"тип «{cell}» не поддерживается (поддерживаются: select_one, select_multiple, "
        "integer, decimal, text, note, calculate, begin group, end group)"
    )


def type_problem(cell: str, competence: str = "") -> str | None:
    """What is wrong with a survey row's `type` cell, None when it is a type we read (whose
    list, if any, is checked later)."""
    text = " ".join(cell.split()).lower()
    if text in METADATA_TYPES or text in PLAIN_TYPES or _KNOWN_TYPE.fullmatch(text):
        return None
    try:
        type_from_xlsform(cell, competence)
    except ValueError as exc:
        return str(exc)
    return None


def flag(value: str) -> bool | None:
    """A yes/no cell (`required`) as a bool; None when it is an expression."""
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    return None
