"""Organizations named in a file instead of by id: matched by name or short name.

Organizations have no INN (ИНН) in Soko, so a file without ids names them by `name` or
`short_name`, compared after normalising spaces (NBSP, doubled), case, ё/е, quotes («» "")
and the number sign, which may be left out or written N or No ("Гимназия 1" = "Гимназия №1"
= "гимназия  N1"; never "Гимназия 10": the number is compared whole), and with a space after
an abbreviation's dot ("с.Берёзовка" = "с. Берёзовка"); a full name also without its legal
form ("Гимназия 1" for МБОУ «Гимназия № 1»). `naming_keys` is the one definition of what names
an organization: the check that refuses a second one of the same name uses it too.

A name that names none so is also tried against the names without the locality a village
school's full name ends with (МБОУ «СОШ № 13» с. Каменка: «СОШ № 13», «МБОУ «СОШ № 13»»):
taken when it fits one organization the caller reads, suggested when it fits several. Not a
naming key: «СОШ № 1» in two villages are two names."""

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
from shared.templating import natural_key, quoted

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


# A locality a school's full name ends with, as `name_key` writes it: «с. Каменка», «пос.
# Лесной», «д. …», «г. …», «р.п. …» ('р. п. …'), «х. …», «ст. …», «пгт …», also in brackets.
_LOCALITY = re.compile(
    r" \(?(?:(?:с|п|пос|д|дер|г|р\. ?п|рп|пгт|х|ст|ст-ца)\.|село|поселок|пгт|рп|аул|станица"
    r"|хутор|деревня) [^()]+\)?$"
)


def without_locality(key: str) -> str | None:
    """A `name_key` without the locality it ends with ('мбоу сош 13 с. каменка' -> 'мбоу сош
    13'); None when it ends with none, or when no more than a legal form would be left."""
    stripped = _LOCALITY.sub("", key, count=1)
    if stripped == key or not stripped or stripped in LEGAL_FORMS:
        return None
    return stripped


def naming_keys(name: str | None, short_name: str | None = None) -> set[str]:
    """Every `name_key` a file's row may name an organization by (`match_names`): its name's,
    its name's without the legal form ('мбоу гимназия 1', 'гимназия 1') and its short
    name's. Two organizations sharing one cannot be told apart by name: a new one may not
    share one with another of its territory (services/api/organizations/service.py)."""
    keys = {name_key(name or ""), name_key(short_name or "")}
    if bare := without_legal_form(name_key(name or "")):
        keys.add(bare)
    return keys - {""}


class Named(NamedTuple):
    id: uuid.UUID
    name: str
    short_name: str | None


# How many similar names a «не найдена» suggests at the most.
SUGGESTED = 3


class Matches(NamedTuple):
    """Per name (by `name_key`): the organizations it names (`found`: none, one, or the
    candidates of an ambiguous name) and, for a name that names none, the organizations it
    names without their locality (`local`: one is a match, several are suggested, all of them,
    in natural order) and organizations whose names are close (`similar`, at most SUGGESTED,
    in natural order)."""

    found: dict[str, list[Named]]
    similar: dict[str, list[Named]]
    local: dict[str, list[Named]]


# How many names not found get suggestions (a file of 10,000 wrong names stays fast).
SUGGESTED_FOR = 100


def _bare(key: str) -> str:
    """A `name_key` without its legal form, if it has one."""
    return without_legal_form(key) or key


async def match_names(
    session: AsyncSession, names: Iterable[str], readable: frozenset[uuid.UUID] | None
) -> Matches:
    """For each name (by `name_key`), the organizations the caller may read (`readable`; None:
    all) it names by `naming_keys` (their name, short name or full name without its legal
    form, all alike: «Гимназия 1» names both «Гимназия № 1» and МБОУ «Гимназия № 1», which
    is ambiguous, never a silent pick of one); and for a name naming none (the first
    SUGGESTED_FOR), the readable organizations with a close name: the same name under another
    legal form («маоу гимназия 1» for «мбоу гимназия 1»), or the given one with more words
    after it («сош 11» for «мбоу сош 11 с. берёзовка»; never «сош 1» for «сош 10»); and the
    readable organizations it names by a naming key without its locality (`without_locality`:
    «сош 13», «мбоу сош 13» for «мбоу сош 13 с. каменка»)."""
    wanted = {name_key(name) for name in names}
    wanted.discard("")
    if not wanted:
        return Matches({}, {}, {})
    query = select(Organization.id, Organization.name, Organization.short_name)
    if readable is not None:
        query = query.where(Organization.id.in_(readable))
    matched: dict[str, list[Named]] = {key: [] for key in wanted}
    everyone: list[tuple[Named, set[str]]] = []
    for org_id, name, short_name in await session.execute(query):
        named = Named(org_id, name, short_name)
        keys = naming_keys(name, short_name)
        for key in keys & wanted:
            matched[key].append(named)
        everyone.append((named, keys))
    unmatched = sorted(key for key in wanted if not matched[key])
    local: dict[str, list[Named]] = {}
    missing = set(unmatched)
    for named, keys in everyone:
        for key in {without_locality(k) for k in keys} & missing:
            local.setdefault(key, []).append(named)
    for fitting in local.values():
        fitting.sort(key=lambda n: natural_key(n.name))
    unmatched = [key for key in unmatched if key not in local][:SUGGESTED_FOR]
    similar: dict[str, list[Named]] = {}
    if unmatched:
        given = {key: _bare(key) for key in unmatched}
        theirs = [(named, {_bare(k) for k in keys}) for named, keys in everyone]
        for key, short in given.items():
            close = [
                named
                for named, keys in theirs
                if any(k == short or k.startswith(short + " ") for k in keys)
            ]
            if close:
                similar[key] = sorted(close, key=lambda n: natural_key(n.name))[:SUGGESTED]
    return Matches(matched, similar, local)


class OrganizationName(str):
    """An organization given by its name in a file's row, where an id would be (resolved by
    `resolve_names` before the row is checked)."""


async def resolve_names(
    session: AsyncSession, named: dict[int, str], readable: frozenset[uuid.UUID] | None
) -> tuple[dict[int, uuid.UUID], dict[int, str], dict[int, str]]:
    """Rows (by index) that name their organization: the id of each name that is exactly one
    readable organization's (`match_names`), or else that one readable organization's without
    its locality; for the others why not (Russian: not found, or the candidates of an
    ambiguous name with their ids; a name naming none suggests the readable organizations it
    names without their locality, else close names of organizations the caller reads, with
    their ids), and a note for each name matched otherwise than letter for letter
    ("организация: «Гимназия №1» → МБОУ «Гимназия № 1»"; "организация: «СОШ № 13» → МБОУ
    «СОШ № 13» с. Каменка (без населённого пункта)")."""
    found, similar, local = await match_names(session, named.values(), readable)
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
            reasons[index] = f"несколько организаций {quoted(name)}: {listed}"
        elif len(fitting := local.get(name_key(name), [])) == 1:
            ids[index] = fitting[0].id
            notes[index] = reinterpreted.name_matched(
                "организация", name, fitting[0].name, "без населённого пункта"
            )
        elif close := fitting or similar.get(name_key(name)):
            listed = "; ".join(f"{n.name} ({n.id})" for n in close)
            reasons[index] = f"{organization_not_found(name)}; похожие названия: {listed}"
        else:
            reasons[index] = organization_not_found(name)
    return ids, reasons, notes
