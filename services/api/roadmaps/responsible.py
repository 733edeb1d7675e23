"""Recognise organizations and staff named in an activity's "responsible" text.

Only unambiguous mentions count: an organization by any of the names files may name it by
(`matching.naming_keys`: its name, its name without the legal form — "гимназия №1" for
МБОУ «Гимназия № 1» —, its short name; number signs, quotes and spaces as `name_key` compares
them), a staff member's full name or surname with initials.
"""

import re
import uuid
from dataclasses import dataclass

from services.api.organizations.matching import name_key, naming_keys

_QUOTES_RE = re.compile(r"[«»\"“”„'‘’]")
_SPACES_RE = re.compile(r"\s+")


def _normal(text: str) -> str:
    text = _QUOTES_RE.sub(" ", text.lower().replace("ё", "е"))
    return _SPACES_RE.sub(" ", text).strip()


@dataclass(frozen=True)
class Candidate:
    id: uuid.UUID
    names: tuple[str, ...]


def organization_candidates(rows: list[tuple[uuid.UUID, str, str | None]]) -> list[Candidate]:
    """From (id, name, short name): the forms by which a roadmap may name each organization,
    as `name_key` gives them ('сош 1', 'гимназия 1'); a form of one word ("школа", "лицей")
    names nothing in particular and is left out."""
    return [
        Candidate(org_id, tuple(sorted(f for f in naming_keys(name, short) if " " in f)))
        for org_id, name, short in rows
    ]


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


def _found(texts: tuple[str, ...], candidates: list[Candidate]) -> list[uuid.UUID]:
    found = (c.id for c in candidates if any(_mentioned(t, f) for t in texts for f in c.names))
    return sorted(found, key=str)


def recognise_organizations(text: str, candidates: list[Candidate]) -> list[uuid.UUID]:
    """The organizations the text names ("Администрация МБОУ «Школа № 1»", "школа N1"), in a
    stable order; `candidates` from `organization_candidates`."""
    return _found((name_key(text),), candidates)


def recognise_staff(text: str, candidates: list[Candidate]) -> list[uuid.UUID]:
    """The staff members the text names ("Иванова М.А.", "М. А. Иванова"), in a stable order;
    `candidates` from `staff_candidates`."""
    spaced = _normal(text)
    compact = spaced.replace(". ", ".")  # "М. А. Иванова" and "М.А. Иванова" alike
    return _found((compact, spaced), candidates)
