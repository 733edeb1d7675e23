"""Organizations named in a file instead of by id: matched by name or short name.

Organizations have no INN (ИНН) in Soko, so a file without ids names them by `name` or
`short_name`, compared after normalising spaces (NBSP, doubled), case, ё/е, quotes («» "")
and the number sign, which may be left out or written N or No ("Гимназия 1" = "Гимназия №1"
= "гимназия  N1"; never "Гимназия 10": the number is compared whole), and with a space after
an abbreviation's dot ("с.Берёзовка" = "с. Берёзовка")."""

import re
import uuid
from collections.abc import Iterable
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.organizations.models import Organization
from shared import reinterpreted
from shared.labels import organization_not_found
from shared.tabular import normalize_name

# The headers of a file's column that identifies an organization (as `header_key` gives them).
ORGANIZATION_HEADERS: dict[str, tuple[str, ...]] = {
    "organization_id": (
        "organization id",
        "id организации",
        "id оо",
        "идентификатор организации",
        "идентификатор оо",
    ),
    "organization": (
        "organization",
        "организация",
        "оо",
        "образовательная организация",
        "наименование оо",
        "наименование организации",
        "школа",
    ),
}
_QUOTES = re.compile(r"[«»“”„\"']")
# A number sign, "№" or the Latin "N"/"No" right before a number, or a "№" alone.
_NUMBER_SIGN = re.compile(r"\s*(?:№|(?<![^\W\d_])(?:n|no|nº)\.?(?=\s*\d))\s*", re.IGNORECASE)
# Legal forms a school's full name starts with (МБОУ «Гимназия № 1»), as `name_key` gives them.
LEGAL_FORMS = [
    "мбоу",
    "маоу",
    "мкоу",
    "мобу",
    "моу",
    "гбоу",
    "гаоу",
    "гкоу",
    "гоу",
    "фгбоу",
    "чоу",
    "ноу",
    "аноо",
    "мбудо",
    "маудо",
    "мкудо",
    "мбдоу",
    "мадоу",
    "мкдоу",
    "гбпоу",
    "гапоу",
    "мбу",
    "мау",
    "мку",
    "гбу",
]
_LEGAL_FORM = re.compile(rf"^(?:{'|'.join(LEGAL_FORMS)}) ")


# An abbreviation's dot run into the next word ("с.Берёзовка", "им.Пушкина"): a space after it.
_DOT_RUN_ON = re.compile(r"\.(?=[^\W\d_])")


def name_key(name: str) -> str:
    """A name as organizations are matched by it, without its number sign ("МБОУ «Гимназия №1»",
    "МБОУ Гимназия N 1", "мбоу гимназия 1" -> 'мбоу гимназия 1') and with a space after an
    abbreviation's dot ("с.Берёзовка" = "с. Берёзовка", as village schools are written both
    ways)."""
    spaced = _DOT_RUN_ON.sub(". ", _QUOTES.sub(" ", name))
    return normalize_name(_NUMBER_SIGN.sub(" ", spaced))


def without_legal_form(key: str) -> str | None:
    """A `name_key` without the legal form it starts with ('мбоу гимназия 1' -> 'гимназия 1');
    None when it starts with none."""
    stripped = _LEGAL_FORM.sub("", key, count=1)
    return stripped if stripped != key else None


class Named(NamedTuple):
    id: uuid.UUID
    name: str
    short_name: str | None


async def match_names(
    session: AsyncSession, names: Iterable[str], readable: frozenset[uuid.UUID] | None
) -> dict[str, list[Named]]:
    """For each name (by `name_key`), the organizations the caller may read (`readable`; None:
    all) whose name or short name it is, or else whose full name without its legal form it
    is: none, one, or the candidates of an ambiguous name."""
    wanted = {name_key(name) for name in names}
    wanted.discard("")
    if not wanted:
        return {}
    query = select(Organization.id, Organization.name, Organization.short_name)
    if readable is not None:
        query = query.where(Organization.id.in_(readable))
    found: dict[str, list[Named]] = {key: [] for key in wanted}
    bare: dict[str, list[Named]] = {key: [] for key in wanted}
    for org_id, name, short_name in await session.execute(query):
        keys = {name_key(name), name_key(short_name or "")}
        for key in keys & wanted:
            found[key].append(Named(org_id, name, short_name))
        if (key := without_legal_form(name_key(name))) in wanted:
            bare[key].append(Named(org_id, name, short_name))
    return {key: found[key] or bare[key] for key in wanted}


class OrganizationName(str):
    """An organization given by its name in a file's row, where an id would be (resolved by
    `resolve_names` before the row is checked)."""


async def resolve_names(
    session: AsyncSession, named: dict[int, str], readable: frozenset[uuid.UUID] | None
) -> tuple[dict[int, uuid.UUID], dict[int, str], dict[int, str]]:
    """Rows (by index) that name their organization: the id of each name that is exactly one
    readable organization's (`match_names`), for the others why not (Russian: not found, or
    the candidates of an ambiguous name with their ids), and a note for each name matched
    otherwise than letter for letter ("организация: «Гимназия №1» → МБОУ «Гимназия № 1»")."""
    found = await match_names(session, named.values(), readable)
    ids: dict[int, uuid.UUID] = {}
    reasons: dict[int, str] = {}
    notes: dict[int, str] = {}
    for index, name in named.items():
        candidates = found.get(name_key(name), [])
        if len(candidates) == 1:
            (match,) = candidates
            ids[index] = match.id
            if name.strip() not in (match.name, match.short_name):
                notes[index] = reinterpreted.name_matched("организация", name, match.name)
        elif candidates:
            listed = "; ".join(f"{full} ({org_id})" for org_id, full, _ in candidates)
            reasons[index] = f"несколько организаций «{name}»: {listed}"
        else:
            reasons[index] = organization_not_found(name)
    return ids, reasons, notes
