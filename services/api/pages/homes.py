"""What each role's home shows (`context(request, person)`): the api's own data through its
service functions with the visitor's `Access`, the peers' through peer_reads.py as the
visitor. A section a peer cannot give says so; the rest of the home still shows.

- analyst, administrator: roadmaps with progress and overdue activities, school cards,
  recommendations to move through their lifecycle, campaigns with response rates, the schools
  late in each data collection and the submissions to approve or return (data_collections.py);
- methodologist: the teachers' diagnostics with rates, paged (campaign_pages.py), the PD
  order of the newest diagnostic's school year (whichever page is shown) as last built (the
  page never rebuilds it: its «Пересобрать заказ» button does, router.py), the teachers'
  individual routes, recommendations;
- school leader: the school's activities (mark done), recommendations addressed to the school,
  who has not answered an open identified campaign, the data collections asking the school
  (completeness, due date, what is missing; submit or withdraw);
- teacher: their profile, their open diagnostics (their personal links), their route;
- viewer: the roadmaps and the indicator values of their scope, read-only.
"""

import uuid
from collections import Counter
from typing import Any

from fastapi import Request
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.pages import data_collections, home_state, peer_reads, service, value_reads
from services.api.pages.campaign_pages import CampaignPage, campaign_page
from services.api.pages.peer_reads import Part
from services.api.pages.recommendation_pages import recommendation_page
from services.api.pages.render import POSITION_NAMES
from services.api.pages.session import Visitor
from services.api.staff.models import StaffMember
from shared.errors import PeerRefused, PeerUnavailable
from shared.identity import Role, ScopeType
from shared.periods import parse_period
from shared.settings import Settings
from shared.templating import natural_key

HOMES = {
    Role.admin: "home_analyst.html",
    Role.territory_analyst: "home_analyst.html",
    Role.methodologist: "home_methodologist.html",
    Role.viewer: "home_viewer.html",
    Role.organization_leader: "home_leader.html",
    Role.teacher: "home_teacher.html",
}
# Who is offered the buttons that move a recommendation (the reports service decides).
MOVERS = frozenset(
    {Role.admin, Role.territory_analyst, Role.methodologist, Role.organization_leader, Role.teacher}
)


async def context(request: Request, session: AsyncSession, person: Visitor) -> dict[str, Any]:
    """The template context of the visitor's home (see the module's docstring)."""
    access = person.access(session)
    settings: Settings = request.app.state.settings
    today = settings.today()
    principal = person.principal
    role = principal.role
    found: dict[str, Any] = {
        "today": today,
        "reports_url": str(settings.reports_url).rstrip("/"),
        "surveys_url": str(settings.surveys_url).rstrip("/"),
        "movable": role in MOVERS,
        # A teacher's personal recommendations are moved by the teacher alone (their home
        # lists their own): others see their status without buttons.
        "moves_personal": role == Role.teacher,
        # Where the visitor is on the home: its forms post it back (home_state.py).
        "home_state": home_state.of_request(request),
    }
    if role in (Role.admin, Role.territory_analyst):
        found["roadmaps"] = await service.roadmaps(access, today)
        found["organizations"] = await service.organizations(access)
        found["rec_page"] = await recommendation_page(request, access, found["organizations"])
        found["recommendations"] = found["rec_page"].part
        found["camp_page"] = await campaign_page(request, principal)
        found["campaigns"] = found["camp_page"].part
        found |= await data_collections.home_context(request, access)
    elif role == Role.organization_leader:
        found["activities"] = await service.school_activities(access, today)
        found["recommendations"] = await peer_reads.recommendations(
            request, organization_id=principal.scope_id
        )
        found["camp_page"] = await campaign_page(request, principal)
        found["campaigns"] = found["camp_page"].part
        found |= await data_collections.home_context(request, access)
    elif role == Role.teacher:
        found["record"] = await service.own_record(access)
        found["invitations"] = await peer_reads.invitations(request)
        found["routes"] = await peer_reads.routes(request)
        found["recommendations"] = await peer_reads.recommendations(request)
    elif role == Role.methodologist:
        found |= await _methodologist(request, person)
        found["rec_page"] = await recommendation_page(request, access)
        found["recommendations"] = found["rec_page"].part
    else:
        found["roadmaps"] = await service.roadmaps(access, today)
        found["values"] = await value_reads.home_table(
            peer_reads.reports(request), session, principal, today
        )
    found["names"] = names = await peer_reads.organization_names(session, _mentioned(found))
    _in_natural_order(found, names)
    found["namesakes"] = await _namesakes(session, found)
    return found


async def _namesakes(session: AsyncSession, found: dict[str, Any]) -> dict[uuid.UUID, str]:
    """For people of a «не ответили» list who share their full name with another on it: what
    tells them apart (their subjects, or their position), by staff id; one query."""
    ids: set[uuid.UUID] = set()
    for key in ("campaigns", "diagnostics"):
        if isinstance(part := found.get(key), Part):
            for line in part.items:
                named = Counter(p.full_name for p in line.pending)
                ids |= {p.staff_id for p in line.pending if named[p.full_name] > 1}
    if not ids:
        return {}
    rows = await session.execute(
        select(StaffMember.id, StaffMember.subjects, StaffMember.position).where(
            StaffMember.id.in_(ids)
        )
    )
    return {
        staff_id: ", ".join(subjects) if subjects else POSITION_NAMES.get(position, position)
        for staff_id, subjects, position in rows
    }


def _in_natural_order(found: dict[str, Any], names: dict[uuid.UUID, str]) -> None:
    """Schools in the order people look for them (№ 3 before № 10): the organization cards,
    each campaign's rates by school and its schools' links to key in paper questionnaires."""
    if isinstance(listing := found.get("organizations"), service.Listing):
        listing.items.sort(key=lambda o: natural_key(o.short_name or o.name))

    def by_name(item: Any) -> tuple[tuple[int, int | str], ...]:
        return natural_key(names.get(item.organization_id, ""))

    for key in ("campaigns", "diagnostics"):
        if isinstance(part := found.get(key), Part):
            for line in part.items:
                line.rates.sort(key=by_name)
                line.campaign.links.sort(key=by_name)


async def _methodologist(request: Request, person: Visitor) -> dict[str, Any]:
    """Diagnostics (a page of them), the PD order of the newest diagnostic's school year (or
    `?period=`, when a school year) in the methodologist's territory, the routes of that
    year."""
    page = await campaign_page(request, person.principal, diagnostics=True)
    period = school_year(request.query_params.get("period")) or await _newest_school_year(
        request, page
    )
    order, order_unavailable = None, False
    territory = person.principal.scope_id
    if period and territory and person.principal.scope_type == ScopeType.territory:
        try:
            # A page view reads the order as last built; «Пересобрать заказ» rebuilds it.
            order = await peer_reads.reports(request).pd_order(territory, period, rebuild=False)
        except (PeerUnavailable, PeerRefused):
            order_unavailable = True
    return {
        "diag_page": page,
        "diagnostics": page.part,
        "period": period,
        "order": order,
        "order_unavailable": order_unavailable,
        "routes": await peer_reads.routes(request, period),
    }


async def _newest_school_year(request: Request, page: CampaignPage) -> str | None:
    """The school year of the newest diagnostic that has one: on the first page, read from
    it when it holds one; else from the newest diagnostics (whichever page is shown, the same
    year, so the same PD order)."""
    if not page.offset:
        shown = [line.campaign.period for line in page.part.items]
        found = next(filter(None, map(school_year, shown)), None)
        if found or page.part.unavailable or len(shown) == page.part.total:
            return found
    periods = await peer_reads.diagnostic_periods(request)
    return next(filter(None, map(school_year, periods)), None)


def period_problem(code: str | None, role: Role) -> str | None:
    """Why the home's `?period=` cannot be shown (Russian), None when it can or none is
    asked: a period that does not parse, on any role's home (as the values and decisions pages
    refuse it); on the methodologist's, one that is no school year (the PD order's period)."""
    if not code:
        return None
    try:
        kind = parse_period(code).kind
    except ValueError as exc:
        if role != Role.methodologist:
            return str(exc)
        # The parser's words offer a year, quarter or month, which this home refuses next.
        kind = None
    if role == Role.methodologist and kind != "academic_year":
        return (
            f"План-заказ и маршруты показываются за учебный год, например 2021/2022, а не «{code}»"
        )
    return None


def school_year(code: str | None) -> str | None:
    """`code` when it is a school year (`2021/2022`, the PD order's period), else None."""
    try:
        return code if code and parse_period(code).kind == "academic_year" else None
    except ValueError:
        return None


def _mentioned(found: dict[str, Any]) -> set[uuid.UUID | None]:
    """The organizations the peers' rows name (recommendations, rates, routes)."""
    ids: set[uuid.UUID | None] = set()
    for key in ("recommendations", "routes"):
        part = found.get(key)
        if isinstance(part, Part):
            ids |= {item.organization_id for item in part.items}
    for key in ("campaigns", "diagnostics"):
        part = found.get(key)
        if isinstance(part, Part):
            ids |= {r.organization_id for line in part.items for r in line.rates}
    return ids
