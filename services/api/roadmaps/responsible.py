"""Recognise organizations and staff named in an activity's "responsible" text.

Only unambiguous mentions count: an organization's name without its legal-form prefix
("гимназия №1" for «МБОУ "Гимназия № 1"»), a staff member's full name or surname with initials.
"""

import re
import uuid
from dataclasses import dataclass

_QUOTES_RE = re.compile(r"[«»\"“”„'‘’]")
_SPACES_RE = re.compile(r"\s+")
_NUMBER_RE = re.compile(r"№\s*")
# Legal forms and types that prefix school names and that a roadmap often leaves out.
_LEGAL_FORM_RE = re.compile(
    r"^(?:[мгч]?[ба]?[оу]?у\s+до|[мгчк]?[бак]?д?оу|[мгчк]?[бак]?у|м[бак]?оу|гбпоу|гапоу|гпоу)\s+"
)


def _normal(text: str) -> str:
    text = _QUOTES_RE.sub(" ", text.lower().replace("ё", "е"))
    text = _NUMBER_RE.sub("№", text)
    return _SPACES_RE.sub(" ", text).strip()


def _core(name: str) -> str:
    return _LEGAL_FORM_RE.sub("", _normal(name))


@dataclass(frozen=True)
class Candidate:
    id: uuid.UUID
    names: tuple[str, ...]


def organization_candidates(rows: list[tuple[uuid.UUID, str, str | None]]) -> list[Candidate]:
    """From (id, name, short name): the forms by which a roadmap may name each organization."""
    result = []
    for org_id, name, short_name in rows:
        forms = {_normal(name), _core(name)}
        if short_name:
            forms |= {_normal(short_name), _core(short_name)}
        # A bare "школа" or "лицей" names nothing in particular.
        forms = {f for f in forms if len(f) >= 6 and (" " in f or "№" in f)}
        result.append(Candidate(org_id, tuple(sorted(forms))))
    return result


def staff_candidates(rows: list[tuple[uuid.UUID, str]]) -> list[Candidate]:
    """From (id, full name): the full name and "Фамилия И.О." / "И.О. Фамилия"."""
    result = []
    for staff_id, full_name in rows:
        parts = _normal(full_name).split(" ")
        forms = {" ".join(parts)}
        if len(parts) >= 2:
            initials = "".join(f"{p[0]}." for p in parts[1:3])
            forms |= {f"{parts[0]} {initials}", f"{initials} {parts[0]}", f"{initials}{parts[0]}"}
        result.append(Candidate(staff_id, tuple(sorted(forms))))
    return result


def _mentioned(text: str, form: str) -> bool:
    # A substring test first: cheap, and most forms are absent from most texts. Then whole
    # words only: "гимназия №1" must not match inside "гимназия №12".
    return form in text and re.search(rf"(?<![\w№]){re.escape(form)}(?![\w])", text) is not None


def recognise(text: str, candidates: list[Candidate]) -> list[uuid.UUID]:
    """The candidates the text names, in a stable order."""
    spaced = _normal(text)
    compact = spaced.replace(". ", ".")  # "М. А. Иванова" and "М.А. Иванова" alike
    found = (
        c.id
        for c in candidates
        if any(_mentioned(compact, f) or _mentioned(spaced, f) for f in c.names)
    )
    return sorted(found, key=str)
