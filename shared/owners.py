"""Owners of catalogue entries (indicators, recommendation rules, PD programmes): who sees and
who changes them.

An entry without an owner territory is global: everyone sees it, only an administrator changes
it. A territory's own entry applies in that territory and below; it is seen there, below and by
the analysts above (whose scope contains it), and changed by those whose scope contains the
owner (the territory's own staff of the allowed roles, and those of the territories above).
Outside that it is hidden: 404, as for an id that does not exist.

Where territories sit comes from any `ScopeResolver`: the api service's tables there, the api
service over HTTP (cached) in the reports service.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from shared.errors import Forbidden, NotFound
from shared.identity import Principal, ScopeType
from shared.scope import ScopeResolver, contains


class Owned(Protocol):
    owner_territory_id: uuid.UUID | None


E = TypeVar("E", bound=Owned)


@dataclass(frozen=True)
class Texts:
    """What a refusal says about one kind of entry, in Russian."""

    not_found: str  # "Правило не найдено"
    global_only: str  # "Общие правила меняет только администратор"
    above: str  # "Правило принадлежит вышестоящей территории"


class Owners:
    """One caller's view of owner territories, for one request (each owner resolved once)."""

    def __init__(self, principal: Principal, resolver: ScopeResolver) -> None:
        self.principal, self.resolver = principal, resolver
        self._above: frozenset[uuid.UUID] | None = None
        self._holds: dict[uuid.UUID, bool] = {}

    async def above(self) -> frozenset[uuid.UUID]:
        """The territories the caller's scope lies in (their own and its ancestors)."""
        if self._above is None:
            p = self.principal
            if p.scope_type is None or p.scope_id is None:
                self._above = frozenset()
            else:
                self._above = (await self.resolver.resolve(p.scope_type, p.scope_id)).territory_ids
        return self._above

    async def holds(self, territory_id: uuid.UUID) -> bool:
        """The territory is inside the caller's scope (False when it does not exist)."""
        if territory_id not in self._holds:
            try:
                info = await self.resolver.resolve(ScopeType.territory, territory_id)
            except NotFound:
                self._holds[territory_id] = False
            else:
                self._holds[territory_id] = contains(self.principal, info)
        return self._holds[territory_id]

    async def sees(self, owner: uuid.UUID | None) -> bool:
        """A global entry, one that applies to the caller, or one inside their scope."""
        if owner is None or self.principal.unrestricted:
            return True
        return owner in await self.above() or await self.holds(owner)

    async def seen(self, entry: E | None, texts: Texts) -> E:
        """The entry (as loaded, None if absent) if the caller sees it; 404 otherwise."""
        if entry is None or not await self.sees(entry.owner_territory_id):
            raise NotFound(texts.not_found)
        return entry

    async def visible(self, owners: Iterable[uuid.UUID | None]) -> set[uuid.UUID | None]:
        return {o for o in set(owners) if await self.sees(o)}

    async def authorize(self, owner: uuid.UUID | None, texts: Texts) -> None:
        """May the caller change an entry of this owner? 404 if they do not see it, 403 if
        they see it but may not (a global entry, or one of a territory above them). The role
        is checked by the caller of this function."""
        if not await self.sees(owner):
            raise NotFound(texts.not_found)
        if self.principal.unrestricted:
            return
        if owner is None:
            raise Forbidden(texts.global_only)
        if not await self.holds(owner):
            raise Forbidden(texts.above)

    async def owner_for_new(self, asked: uuid.UUID | None, field: str) -> uuid.UUID | None:
        """The owner of a new entry: the territory asked for (inside the caller's scope, else
        404 naming the field); by default none (global) for an administrator and the caller's
        own territory for others (403 when their scope is not a territory)."""
        p = self.principal
        if asked is None:
            if p.unrestricted:
                return None
            if p.scope_type != ScopeType.territory or p.scope_id is None:
                raise Forbidden("Свои записи каталога заводят сотрудники территории")
            return p.scope_id
        if not await self.holds(asked):
            msg = "Территория не найдена"
            raise NotFound.at(field, msg)
        return asked


def applies_to(owner: uuid.UUID | None, territory_ids: Iterable[uuid.UUID]) -> bool:
    """Does an entry of this owner apply in a territory with this chain (it and its ancestors)?"""
    return owner is None or owner in set(territory_ids)
