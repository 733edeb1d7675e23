"""The campaigns of an analyst's, an administrator's or a school leader's home, `WATCHED` a
page: those taking answers first, then the others newest first (the surveys service orders
them), with «← Предыдущие» / «Следующие →» links (no JavaScript).

Query parameter of `/home`: `camp_from` (the offset of the page, a multiple of `WATCHED`;
anything else is the first page, never an error). The links keep the home's other parameters
(the recommendations' page and filter). A page past the end says so and links to the first.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import Request

from services.api.pages import peer_reads
from services.api.pages.peer_reads import WATCHED, CampaignLine, Paged, Part
from shared.identity import Principal

PARAM = "camp_from"
ANCHOR = "#campaigns-title"


@dataclass
class CampaignPage(Paged):
    """One page of campaigns: `part` (its lines, the total), its offset, and the links to the
    previous and next pages (None at either end) and to the first (for a page past the end)."""

    part: Part[CampaignLine]
    offset: int
    previous: str | None = None
    next: str | None = None
    start: str | None = None


def _offset(request: Request) -> int:
    raw = request.query_params.get(PARAM, "")
    offset = int(raw) if raw.isdigit() and len(raw) < 9 else 0
    return offset - offset % WATCHED


def _href(request: Request, offset: int) -> str:
    """The home as asked, on the page of campaigns from `offset`."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != PARAM]
    if offset:
        params.append((PARAM, str(offset)))
    query = urlencode(params)
    return f"/home?{query}{ANCHOR}" if query else f"/home{ANCHOR}"


async def campaign_page(request: Request, principal: Principal) -> CampaignPage:
    """The page of campaigns the query asks for, with their rates."""
    offset = _offset(request)
    part = await peer_reads.campaigns(request, principal, offset)
    found = CampaignPage(part, offset)
    if part.unavailable:
        return found
    if found.beyond:
        found.start = _href(request, 0)
    elif offset:
        found.previous = _href(request, max(offset - WATCHED, 0))
    if part.items and found.last < part.total:
        found.next = _href(request, offset + WATCHED)
    return found
