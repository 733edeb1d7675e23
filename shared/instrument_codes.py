"""The codes an instrument version's definition names, read from its stored JSON.

A version's definition is kept as JSON (the surveys service's `instrument_version.definition`,
and the reports service's copy in `fact_instrument_version.definition`): `sections`, each with
`questions`, and `competences`, each entry with a `code`. What an indicator definition may name
(`question_codes`, `competences`) is read from there by one function, on both sides.
"""

from collections.abc import Mapping
from typing import Any, NamedTuple


class DefinitionCodes(NamedTuple):
    """The question codes and the competence codes of one or more definitions."""

    questions: set[str]
    competences: set[str]


def codes_in(definition: Mapping[str, Any] | None) -> DefinitionCodes:
    """The question codes (of every section) and competence codes a definition's JSON names.

    None (a version the facts have not copied yet) and missing lists name nothing; an entry
    without a `code` is passed over.
    """
    definition = definition or {}
    questions = {
        q["code"]
        for section in definition.get("sections") or []
        for q in section.get("questions") or []
        if q.get("code") is not None
    }
    competences = {
        c["code"] for c in definition.get("competences") or [] if c.get("code") is not None
    }
    return DefinitionCodes(questions, competences)
