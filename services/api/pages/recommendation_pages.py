"""The recommendations of an analyst's, an administrator's or a methodologist's home, page by
page (`peer_reads.LISTED` a page), filtered by status and by school: plain links and a GET
form (no JavaScript), read from the reports service as the visitor.

Query parameters of `/home`: `rec_status` (a recommendation status: new, accepted,
in_progress, done, rejected), `rec_org` (an organization id the visitor reads), `rec_from`
(the offset of the page, a multiple of `LISTED`). Anything else there is ignored (the first
page, unfiltered), never an error; a page past the end says so and links to the first.
"""

import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fastapi import Request

from services.api.access import Access
from services.api.pages import home_state, peer_reads, service
from services.api.pages.peer_reads import LISTED, Paged, Part, home_href, page_offset
from services.api.pages.render import RECOMMENDATION_STATUSES
from shared.templating import natural_key

ANCHOR = "#recommendations-title"


@dataclass
class RecommendationPage(Paged):
    """One page of recommendations: `part` (its rows, the total over the filters), the
    filters chosen, the schools offered in the filter (id, name in natural order), and the
    links to the previous and next pages (None at either end)."""

    part: Part[Any]
    status: str | None
    organization_id: uuid.UUID | None
    offset: int
    schools: list[tuple[uuid.UUID, str]] = field(default_factory=list)
    previous: str | None = None
    next: str | None = None
    start: str | None = None
    # The home's other parameters (its period, its other lists' pages): the filter form
    # carries them as hidden fields, «Сбросить отбор» keeps them.
    others: list[tuple[str, str]] = field(default_factory=list)

    @property
    def reset(self) -> str:
        """The home as it is, the recommendations unfiltered, on their first page."""
        query = urlencode(self.others, safe="/")
        return f"/home?{query}{ANCHOR}" if query else f"/home{ANCHOR}"

    @property
    def filtered(self) -> bool:
        return self.status is not None or self.organization_id is not None


def _chosen(request: Request) -> tuple[str | None, uuid.UUID | None, int]:
    """The status, school and offset asked for (None, None, 0 for what is not understood)."""
    query = request.query_params
    status = query.get("rec_status") or None
    if status not in RECOMMENDATION_STATUSES:
        status = None
    try:
        organization_id = uuid.UUID(query.get("rec_org") or "")
    except ValueError:
        organization_id = None
    return status, organization_id, page_offset(query.get("rec_from", ""), LISTED)


def _filters(status: str | None, organization_id: uuid.UUID | None) -> list[tuple[str, str]]:
    """The filters' query parameters, in this order."""
    params = [("rec_status", status)] if status else []
    return params + ([("rec_org", str(organization_id))] if organization_id else [])


OWN = frozenset({"rec_status", "rec_org", "rec_from"})


async def recommendation_page(
    request: Request, access: Access, schools: service.Listing[Any] | None = None
) -> RecommendationPage:
    """The page of recommendations the query asks for; `schools`: the organizations the
    visitor reads, when the home has them already (else read here, one query)."""
    status, organization_id, offset = _chosen(request)
    part = await peer_reads.recommendations(
        request, offset, status=status, organization_id=organization_id
    )
    if schools is None:
        schools = await service.organizations(access)
    named = sorted(
        ((o.id, o.short_name or o.name) for o in schools.items), key=lambda s: natural_key(s[1])
    )
    found = RecommendationPage(part, status, organization_id, offset, named)
    kept = home_state.kept(request.query_params.multi_items())
    found.others = [(name, value) for name, value in kept if name not in OWN]
    own = _filters(status, organization_id)
    found.link(LISTED, lambda at: home_href(request, "rec_from", at, ANCHOR, own=own, owned=OWN))
    return found
