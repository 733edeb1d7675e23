"""Organizations named in a file instead of by id: matched by name or short name.

Organizations have no INN (ИНН) in Soko, so a file without ids names them by `name` or
`short_name`, compared after normalising spaces (NBSP, doubled), case, ё/е, quotes («» "")
and "№ 1"/"№1"."""

import re
import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.organizations.models import Organization
from shared.tabular import normalize_name

_QUOTES = re.compile(r"[«»“”„\"']")
_NUMBER_SIGN = re.compile(r"№\s*")


def name_key(name: str) -> str:
    """A name as organizations are matched by it ("МБОУ «Гимназия №1»" -> 'мбоу гимназия № 1')."""
    return normalize_name(_NUMBER_SIGN.sub("№ ", _QUOTES.sub(" ", name)))


async def match_names(
    session: AsyncSession, names: Iterable[str], readable: frozenset[uuid.UUID] | None
) -> dict[str, list[tuple[uuid.UUID, str]]]:
    """For each name (by `name_key`), the organizations the caller may read (`readable`; None:
    all) whose name or short name it is, as (id, full name): none, one, or the candidates of
    an ambiguous name."""
    wanted = {name_key(name) for name in names}
    wanted.discard("")
    if not wanted:
        return {}
    query = select(Organization.id, Organization.name, Organization.short_name)
    if readable is not None:
        query = query.where(Organization.id.in_(readable))
    found: dict[str, list[tuple[uuid.UUID, str]]] = {key: [] for key in wanted}
    for org_id, name, short_name in await session.execute(query):
        keys = {name_key(name), name_key(short_name or "")}
        for key in keys & wanted:
            found[key].append((org_id, name))
    return found
