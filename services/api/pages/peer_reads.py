"""What the roles' homes read from the peers (surveys, reports), asked as the signed-in person
(so a page shows exactly what those services would answer them), and the names of the schools
they mention (one query of the api's own table).

Each home section is a `Part`: its rows, how many there are in all, or `unavailable` when the
peer is down or refuses (the rest of the page still shows). Lists are the first `LISTED` rows;
campaigns come `WATCHED` a page (their rates and pending lists are one call each), and so do
the teachers' diagnostics (`DIAGNOSTICS`: the surveys service picks them).
"""

import logging
import uuid
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from fastapi import Request
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.clients.models import Campaign, OrganizationRate, Pending, Route
from services.api.clients.reports import ReportsClient
from services.api.clients.surveys import SurveysClient
from services.api.organizations.models import Organization
from shared.errors import PeerRefused, PeerUnavailable
from shared.identity import Principal, Role

logger = logging.getLogger("soko.api.pages")
LISTED = 50
WATCHED = 10
# The teachers' diagnostics: the `GET /v1/campaigns` filters that pick them.
DIAGNOSTICS: dict[str, Any] = {"audience": "teachers", "anonymous": False}
T = TypeVar("T")


@dataclass
class Part(Generic[T]):
    """One section of a home read from a peer."""

    items: list[T] = field(default_factory=list)
    total: int = 0
    unavailable: bool = False


class Paged:
    """A page of a home's list read from a peer (`part` from `offset`): the numbers of its
    first and last rows, whether it was asked past the end, and the links to the previous and
    next pages (None at either end) and to the first (from past the end), filled by `link`."""

    part: Part[Any]
    offset: int
    previous: str | None
    next: str | None
    start: str | None

    @property
    def first(self) -> int:
        """The number (from 1) of the page's first row."""
        return self.offset + 1

    @property
    def last(self) -> int:
        return self.offset + len(self.part.items)

    @property
    def beyond(self) -> bool:
        """A page asked past the last row (there are some, on earlier pages)."""
        return bool(self.offset and not self.part.items and self.part.total)

    def link(self, size: int, href: Callable[[int], str]) -> None:
        """Fill `previous`, `next` and `start` for pages of `size` rows, `href(offset)` being
        the address of the page from `offset`; none when the peer did not answer."""
        if self.part.unavailable:
            return
        if self.beyond:
            self.start = href(0)
        elif self.offset:
            self.previous = href(max(self.offset - size, 0))
        if self.part.items and self.last < self.part.total:
            self.next = href(self.offset + size)


def page_offset(raw: str, size: int) -> int:
    """The offset a query parameter asks for, down to its page's first row (a multiple of
    `size`); 0 for anything that is not a number of digits."""
    offset = int(raw) if raw.isdigit() and len(raw) < 9 else 0
    return offset - offset % size


def home_href(
    request: Request,
    param: str,
    offset: int,
    anchor: str,
    *,
    own: Sequence[tuple[str, str]] = (),
    owned: Collection[str] = (),
) -> str:
    """The home as asked, one of its paged lists (at `anchor`) on the page from `offset`
    (`param`, left out for the first page): the list's `own` parameters first (its filters),
    then the home's others as they were asked (other lists' pages, `period`), but the list's
    (`param` and `owned`)."""
    params = list(own)
    if offset:
        params.append((param, str(offset)))
    dropped = {param, *owned}
    params += [(k, v) for k, v in request.query_params.multi_items() if k not in dropped]
    query = urlencode(params)
    return f"/home?{query}{anchor}" if query else f"/home{anchor}"


@dataclass
class CampaignLine:
    """A campaign with its response rate over the schools that have an expected number:
    `rate` = their responses / expected × 100 (percent, None without any expected number);
    `unknown`: the schools whose expected number is not recorded, `unknown_reasons` why."""

    campaign: Campaign
    rates: list[OrganizationRate]
    pending: list[Pending] = field(default_factory=list)

    @property
    def responses(self) -> int:
        return sum(r.responses for r in self.rates)

    @property
    def expected(self) -> int | None:
        known = [r.expected for r in self.rates if r.expected is not None]
        return sum(known) if known else None

    @property
    def counted(self) -> int:
        """Responses of the schools whose expected number is known."""
        return sum(r.responses for r in self.rates if r.expected is not None)

    @property
    def rate(self) -> float | None:
        expected = self.expected
        if not expected:
            return None
        return 100 * self.counted / expected

    @property
    def unknown(self) -> list[OrganizationRate]:
        return [r for r in self.rates if r.expected is None]

    @property
    def unknown_reasons(self) -> list[str]:
        return sorted({r.expected_unknown for r in self.unknown if r.expected_unknown})


def surveys(request: Request) -> SurveysClient:
    return SurveysClient(request.app.state.peers["surveys"])


def reports(request: Request) -> ReportsClient:
    return ReportsClient(request.app.state.peers["reports"])


async def _part(read: Callable[[], Awaitable[tuple[list[T], int]]], what: str) -> Part[T]:
    """`read()` as a Part; a peer down or refusing makes it `unavailable` (logged)."""
    try:
        items, total = await read()
    except (PeerUnavailable, PeerRefused) as exc:
        logger.warning("a home could not read %s: %s", what, exc.detail)
        return Part(unavailable=True)
    return Part(items, total)


async def invitations(request: Request) -> Part[Any]:
    """The visitor's own personal links in open campaigns (a teacher's diagnostics)."""

    async def read():
        items = await surveys(request).my_invitations()
        return items, len(items)

    return await _part(read, "invitations")


async def routes(request: Request, period: str | None = None) -> Part[Route]:
    """Individual routes as the reports service shows them to the visitor."""
    return await _part(lambda: reports(request).routes(LISTED, period), "routes")


async def recommendations(request: Request, offset: int = 0, **filters: Any) -> Part[Any]:
    """`LISTED` recommendations the visitor may read from `offset` (filters as
    `GET /v1/recommendations`)."""
    read = reports(request).recommendations
    return await _part(lambda: read(LISTED, offset, **filters), "recs")


async def campaigns(
    request: Request, principal: Principal, offset: int = 0, *, diagnostics: bool = False
) -> Part[CampaignLine]:
    """`WATCHED` campaigns reaching the visitor's scope from `offset`, those taking answers
    first, then the others newest first, with their response rates; with `diagnostics`, the
    teachers' identified ones only, newest first (the surveys service filters and counts
    them). A school leader also gets who has not answered the open identified ones."""
    client = surveys(request)

    async def read():
        if diagnostics:
            found, total = await client.campaigns(WATCHED, offset, **DIAGNOSTICS)
        else:
            found, total = await client.campaigns(WATCHED, offset, open_first=True)
        lines = []
        for campaign in found:  # one call each, in turn (they share a connection)
            line = CampaignLine(campaign, await client.rates(campaign.id))
            watched = campaign.status == "open" and not campaign.anonymous
            if watched and principal.role == Role.organization_leader:
                line.pending = await client.pending(campaign.id)
            lines.append(line)
        return lines, total

    return await _part(read, "campaigns")


async def diagnostic_periods(request: Request) -> list[str]:
    """The periods of the newest `LISTED` teachers' diagnostics, newest first (no rates);
    empty when the surveys service does not answer."""
    try:
        found, _ = await surveys(request).campaigns(LISTED, **DIAGNOSTICS)
    except (PeerUnavailable, PeerRefused) as exc:
        logger.warning("a home could not read the diagnostics' periods: %s", exc.detail)
        return []
    return [c.period for c in found]


async def organization_names(
    session: AsyncSession, ids: set[uuid.UUID | None]
) -> dict[uuid.UUID, str]:
    """Short names (or names) of the organizations `ids`, in one query."""
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    name = Organization.short_name, Organization.name
    rows = await session.execute(select(Organization.id, *name).where(Organization.id.in_(wanted)))
    return {oid: short or full for oid, short, full in rows}
