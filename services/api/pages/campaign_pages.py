"""The campaigns of an analyst's, an administrator's or a school leader's home, `WATCHED` a
page: those taking answers first, then the others newest first (the surveys service orders
them), with «← Предыдущие» / «Следующие →» links (no JavaScript).

Query parameter of `/home`: `camp_from` (the offset of the page, a multiple of `WATCHED`;
anything else is the first page, never an error). The links keep the home's other parameters
(the recommendations' page and filter). A page past the end says so and links to the first.

A methodologist's home pages the teachers' diagnostics the same way (newest first), by
`diag_from`, its links keeping the home's `period=` and the recommendations' parameters.
"""

from dataclasses import dataclass

from fastapi import Request

from services.api.pages import peer_reads
from services.api.pages.peer_reads import WATCHED, CampaignLine, Paged, Part, home_href, page_offset
from shared.identity import Principal

PARAM = "camp_from"
ANCHOR = "#campaigns-title"
DIAGNOSTICS_PARAM = "diag_from"
DIAGNOSTICS_ANCHOR = "#diagnostics-title"


@dataclass
class CampaignPage(Paged):
    """One page of campaigns: `part` (its lines, the total), its offset, and the links to the
    previous and next pages (None at either end) and to the first (for a page past the end)."""

    part: Part[CampaignLine]
    offset: int
    previous: str | None = None
    next: str | None = None
    start: str | None = None


async def campaign_page(
    request: Request, principal: Principal, *, diagnostics: bool = False
) -> CampaignPage:
    """The page of campaigns (or, with `diagnostics`, of the teachers' diagnostics) the query
    asks for, with their rates."""
    param, anchor = (DIAGNOSTICS_PARAM, DIAGNOSTICS_ANCHOR) if diagnostics else (PARAM, ANCHOR)
    offset = page_offset(request.query_params.get(param, ""), WATCHED)
    part = await peer_reads.campaigns(request, principal, offset, diagnostics=diagnostics)
    found = CampaignPage(part, offset)
    found.link(WATCHED, lambda at: home_href(request, param, at, anchor))
    return found
