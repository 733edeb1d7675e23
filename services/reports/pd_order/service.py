"""The PD order (план-заказ) of a territory and teachers' individual routes (ИОМ).

Routes are personal data: they are built only for a methodologist of the territory (the
surveys service gives them the diagnostic results) and read only by the teacher, the school's
leader and the methodologists; every read is recorded in the api service's audit log.
The order is counts of seats, summed in SQL from the stored routes, and anyone who reads
the territory's reports may see it; but the seats of a school with fewer diagnosed teachers
than the disclosure minimum, or whose seats would tell individual results (5 of its 5, 0 of
5, 4 of 5), only those who may read personal results (see public.py).

Calls per build, whatever the number of schools and teachers: the deficit instruments, the
campaigns of the period, and one call per diagnostic campaign for its results; a read by
anyone else makes as many for the number of teachers diagnosed per school.
"""

import uuid
from typing import Any

from sqlalchemy import delete, func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.clients.api import ApiClient
from services.reports.clients.models import OrganizationFacts
from services.reports.clients.surveys import SurveysClient
from services.reports.pd_order.catalogue import active_programmes
from services.reports.pd_order.compute import (
    build_routes,
    load_catalogue,
    merge_profiles,
    without_mentors,
)
from services.reports.pd_order.diagnostics import diagnostic_results, launches, read_diagnosed
from services.reports.pd_order.models import IndividualRoute
from services.reports.pd_order.public import public_order
from services.reports.pd_order.schemas import IndividualRouteRead
from shared.disclosure import DIFFERENCE, reads_personal_results
from shared.errors import Forbidden, NotFound, PeerUnavailable
from shared.identity import Principal, Role, ScopeType, require_roles
from shared.pagination import Pagination, paginate
from shared.periods import Period
from shared.scope import ScopeInfo, ScopeResolver, ensure_in_scope, readable_organizations

ORDER_READERS = (Role.territory_analyst, Role.methodologist, Role.viewer)
ROUTE_READERS = (Role.teacher, Role.organization_leader, Role.methodologist)


def ensure_route_reader(principal: Principal) -> None:
    """Forbidden (403) but for who reads individual routes: a teacher, a school's leader, a
    methodologist (`ROUTE_READERS`; not administrators either)."""
    if principal.role not in ROUTE_READERS:
        raise Forbidden("Индивидуальные маршруты видят педагог, руководитель ОО и методисты")


# Seats per programme and organization, and the sums per programme, per organization and in
# all, in one pass over the routes' steps.
_SEATS = text(
    """
    WITH step AS (
        SELECT r.staff_id, r.organization_id, r.built_at,
               s -> 'programme' ->> 'code' AS code,
               s -> 'programme' ->> 'title' AS title,
               s -> 'programme' ->> 'provider' AS provider,
               (s -> 'programme' ->> 'hours')::int AS hours
        FROM reports.individual_route r
        CROSS JOIN LATERAL jsonb_array_elements(r.steps) AS s
        WHERE r.period = :period AND r.organization_id = ANY(:organizations)
    )
    SELECT code, organization_id,
           min(title) AS title, min(provider) AS provider, min(hours) AS hours,
           count(*) FILTER (WHERE code IS NOT NULL) AS seats,
           count(DISTINCT staff_id) AS teachers,
           max(built_at) AS built_at, min(built_at) AS first_built_at,
           GROUPING(code) AS all_programmes, GROUPING(organization_id) AS all_organizations
    FROM step
    GROUP BY GROUPING SETS ((code, organization_id), (code), (organization_id), ())
    """
)
# Deficits no programme of the catalogue covered: teachers per competence.
_UNCOVERED = text(
    """
    SELECT c ->> 'code' AS competence, min(c ->> 'title') AS title,
           count(DISTINCT r.staff_id) AS teachers
    FROM reports.individual_route r
    CROSS JOIN LATERAL jsonb_array_elements(r.steps) AS s
    CROSS JOIN LATERAL jsonb_array_elements(s -> 'competences') AS c
    WHERE r.period = :period AND r.organization_id = ANY(:organizations)
      AND jsonb_typeof(s -> 'programme') = 'null'
    GROUP BY c ->> 'code'
    ORDER BY teachers DESC, competence
    """
)


async def build(
    session: AsyncSession,
    surveys: SurveysClient,
    organizations: dict[uuid.UUID, OrganizationFacts],
    scope: ScopeInfo,
    period: str,
) -> int:
    """Rebuild the routes of the territory's teachers for the period; returns how many.

    Routes of teachers who no longer have a deficit are removed, in the same transaction.
    Programmes: those offered in the territory (global, its own and its ancestors')."""
    catalogue = load_catalogue()
    found = await diagnostic_results(surveys, period)
    items = [i for i in found if i.organization_id in organizations]
    routes = build_routes(
        merge_profiles(items),
        await active_programmes(session, scope.territory_ids),
        min_share=catalogue["mentor_min_share"],
        uncovered_note=catalogue["notes"]["uncovered"],
    )
    staff_ids = [r["staff_id"] for r in routes]
    await session.execute(
        delete(IndividualRoute).where(
            IndividualRoute.period == period,
            IndividualRoute.organization_id.in_(list(organizations)),
            IndividualRoute.staff_id.not_in(staff_ids),
        )
    )
    if routes:
        rows = [
            route
            | {
                "id": uuid.uuid4(),
                "period": period,
                "territory_id": organizations[route["organization_id"]].territory_id,
            }
            for route in routes
        ]
        statement = insert(IndividualRoute).values(rows)
        await session.execute(
            statement.on_conflict_do_update(
                constraint="uq_individual_route_staff_period",
                set_={
                    "full_name": statement.excluded.full_name,
                    "organization_id": statement.excluded.organization_id,
                    "territory_id": statement.excluded.territory_id,
                    "deficits": statement.excluded.deficits,
                    "steps": statement.excluded.steps,
                    "built_at": func.now(),
                },
            )
        )
    await session.flush()
    return len(routes)


async def _aggregate(
    session: AsyncSession, organizations: dict[uuid.UUID, OrganizationFacts], period: str
) -> dict[str, Any]:
    params = {"period": period, "organizations": list(organizations)}
    rows = (await session.execute(_SEATS, params)).mappings().all()
    names = {o: facts.name for o, facts in organizations.items()}
    programmes: dict[str, dict[str, Any]] = {}
    by_programme: dict[str, list[dict[str, Any]]] = {}
    result: dict[str, Any] = {
        "built_at": None,
        "first_built_at": None,
        "teachers": 0,
        "seats": 0,
        "organizations": [],
    }
    for row in rows:
        if row["all_programmes"] and row["all_organizations"]:
            result |= {k: row[k] for k in ("built_at", "first_built_at", "teachers", "seats")}
        elif row["all_programmes"]:
            org = row["organization_id"]
            result["organizations"].append(
                {
                    "organization_id": org,
                    "name": names.get(org),
                    "seats": row["seats"],
                    "teachers": row["teachers"],
                }
            )
        elif row["code"] is None:  # steps without a programme: see `uncovered`
            continue
        elif row["all_organizations"]:
            programmes[row["code"]] = {
                k: row[k] for k in ("code", "title", "provider", "hours", "seats")
            }
        else:
            org = row["organization_id"]
            by_programme.setdefault(row["code"], []).append(
                {"organization_id": org, "name": names.get(org), "seats": row["seats"]}
            )
    for code, programme in programmes.items():
        programme["organizations"] = sorted(
            by_programme.get(code, []), key=lambda o: (-o["seats"], o["name"] or "")
        )
    result["programmes"] = sorted(programmes.values(), key=lambda p: (-p["seats"], p["code"]))
    result["organizations"].sort(key=lambda o: (o["name"] or "", str(o["organization_id"])))
    uncovered = await session.execute(_UNCOVERED, params)
    result["uncovered"] = [dict(row) for row in uncovered.mappings()]
    return result


async def pd_order(
    session: AsyncSession,
    principal: Principal,
    resolver: ScopeResolver,
    api: ApiClient,
    surveys: SurveysClient,
    territory_id: uuid.UUID,
    period: Period,
    minimum: int,
    rebuild: bool = True,
) -> dict[str, Any]:
    """Seats per programme per organization of the territory. A methodologist's request first
    rebuilds the routes from the diagnostics (unless `rebuild` is False: then it reads the
    order stored, with `built_at`, as a page view must); anyone else's reads the routes stored, and
    unless they may read personal results, sees the schools of fewer diagnosed teachers than
    `minimum`, or whose seats would tell individual results, folded into one line
    (public.py). 403 for other roles, 404 outside the scope."""
    require_roles(principal, *ORDER_READERS)
    scope = await ensure_in_scope(principal, resolver, ScopeType.territory, territory_id)
    organizations = {o.id: o for o in await api.organizations(sorted(scope.organization_ids))}
    notes = load_catalogue()["notes"]
    result: dict[str, Any] = {
        "territory_id": territory_id,
        "period": period.code,
        "notes": [],
        "missing_inputs": [],
        "suppressed": False,
    }
    built = principal.role == Role.methodologist and rebuild
    if built:
        try:
            await build(session, surveys, organizations, scope, period.code)
        except PeerUnavailable as exc:
            built = False
            result["notes"].append(notes["surveys_unavailable"])
            result["missing_inputs"].append(
                {"peer": "surveys", "input": "deficits", "detail": exc.detail}
            )
    result |= await _aggregate(session, organizations, period.code)
    if not result["teachers"]:
        result["notes"].append(notes["no_deficits"] if built else notes["not_built"])
    first_built = result.pop("first_built_at")
    if reads_personal_results(principal):
        return result
    diagnosed = await read_diagnosed(surveys, territory_id, period.code, result, first_built)
    result["missing_inputs"] += diagnosed.missing
    reason, launched = diagnosed.reason, {}
    if reason is None:
        launched, moved = await launches(
            session, period.code, diagnosed.codes, territory_id, list(organizations)
        )
        reason = DIFFERENCE if moved else None
    return public_order(
        result, organizations, territory_id, diagnosed.counts, minimum, reason, launched
    )


async def list_routes(
    session: AsyncSession,
    principal: Principal,
    resolver: ScopeResolver,
    api: ApiClient,
    page: Pagination,
    *,
    period: Period | None = None,
    organization_id: uuid.UUID | None = None,
    staff_id: uuid.UUID | None = None,
) -> tuple[list[IndividualRouteRead], int]:
    """Stored routes: a teacher's own, a leader's school's, a methodologist's territory's.

    A teacher reads their own without its mentors: a mentor is a colleague who scored high in
    the competence, which is that colleague's diagnostic result, for the leader and the
    methodologists only."""
    ensure_route_reader(principal)
    readable = await readable_organizations(principal, resolver) or frozenset()
    if organization_id is not None and organization_id not in readable:
        raise NotFound("Организация не найдена")
    query = select(IndividualRoute).order_by(
        IndividualRoute.period.desc(), IndividualRoute.full_name, IndividualRoute.staff_id
    )
    wanted = {organization_id} if organization_id else readable
    query = query.where(IndividualRoute.organization_id.in_(list(wanted)))
    if principal.role == Role.teacher:
        if principal.staff_id is None or staff_id not in (None, principal.staff_id):
            return [], 0
        staff_id = principal.staff_id
    if staff_id is not None:
        query = query.where(IndividualRoute.staff_id == staff_id)
    if period is not None:
        query = query.where(IndividualRoute.period == period.code)
    items, total = await paginate(session, query, page)
    if items:
        await api.audit(
            "read_personal",
            "individual_route",
            period.code if period else None,
            {
                "staff_ids": sorted({str(r.staff_id) for r in items}),
                "organization_id": str(organization_id) if organization_id else None,
            },
        )
    routes = [IndividualRouteRead.model_validate(r) for r in items]
    if principal.role == Role.teacher:
        routes = [r.model_copy(update={"steps": without_mentors(r.steps)}) for r in routes]
    return routes, total
