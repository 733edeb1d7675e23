"""HTTP: the indicator values and the decisions pages (value_reads.py, decision_reads.py),
read-only, links only.

`GET /values` — the values table of a scope (`scope_type`, `scope_id`; the visitor's own by
default) in a `period` (the latest with data by default), one `indicator` or all, a
territory's `schools` instead of its clusters, `via` the cluster a school was reached from.
`GET /decisions` — the decisions on a territory's recommendations of a `period` and their
effect in `compare` (the period after by default). Without a session, the sign-in page; a
teacher, or a scope the visitor may not read, a Russian page (403, 404), never problem+json.
"""

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.api.pages import decision_reads, value_reads
from services.api.pages.peer_reads import reports
from services.api.pages.render import page
from services.api.pages.session import Visitor, sign_in_first, visitor
from shared.db import SessionDep
from shared.errors import Forbidden, NotFound, PeerRefused, PeerUnavailable
from shared.identity import Role, ScopeType
from shared.periods import Period, parse_period

router = APIRouter(include_in_schema=False)
# Who reads a territory's decisions: the managers of a territory (the reports service decides
# which territories).
DECISION_READERS = frozenset({Role.admin, Role.territory_analyst, Role.methodologist, Role.viewer})


def _problem(request: Request, status_code: int, kind: str, person: Visitor, **context: Any):
    return page(request, "refused.html", status_code, person=person, kind=kind, **context)


def _uuid(text: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(text) if text else None
    except ValueError:
        raise NotFound() from None


def _period(text: str | None) -> Period | None:
    """The asked period; ValueError (its Russian message) for one that does not parse."""
    return parse_period(text) if text else None


async def _peer(request: Request, person: Visitor, read) -> Response:
    """`read()`'s page, or the Russian page of a refusal (403, 404, 422) or an outage (503)."""
    try:
        return await read()
    except value_reads.Refused:
        return _problem(request, 403, "teacher", person)
    except Forbidden:
        return _problem(request, 403, "forbidden", person)
    except NotFound:
        return _problem(request, 404, "not_found", person)
    except ValueError as exc:  # a period that does not parse
        return _problem(request, 422, "period", person, detail=str(exc))
    except (PeerUnavailable, PeerRefused):
        return _problem(request, 503, "unavailable", person)


@router.get("/values")
async def values_page(request: Request, session: SessionDep) -> Response:
    """The indicator values table (see the module's docstring)."""
    person = await visitor(request, session)
    if person is None:
        return sign_in_first(request)
    query = request.query_params

    async def read() -> Response:
        scope_type = query.get("scope_type")
        if scope_type is not None and scope_type not in value_reads.BELOW:
            raise NotFound()
        asked = value_reads.allowed_scope(
            person.principal, scope_type, _uuid(query.get("scope_id"))
        )
        period = _period(query.get("period"))
        if asked is None:  # an administrator: the territories to choose from
            units = await value_reads.territories(session)
            return page(request, "values.html", person=person, table=None, territories=units)
        code = query.get("indicator") or None
        found = await value_reads.table(
            reports(request),
            session,
            person.principal,
            asked,
            period,
            request.app.state.settings.today(),
            indicator=code,
            schools=asked[0] == "territory" and query.get("schools") == "1",
            via=_uuid(query.get("via")),
        )
        return page(
            request,
            "values.html",
            person=person,
            table=found,
            indicator=code,
            reports_url=str(request.app.state.settings.reports_url).rstrip("/"),
        )

    return await _peer(request, person, read)


@router.get("/decisions")
async def decisions_page(request: Request, session: SessionDep) -> Response:
    """The decisions on the territory's recommendations and their effect (see the module's
    docstring)."""
    person = await visitor(request, session)
    if person is None:
        return sign_in_first(request)
    principal = person.principal
    query = request.query_params

    async def read() -> Response:
        if principal.role not in DECISION_READERS:
            raise Forbidden()
        territory = _uuid(query.get("territory_id"))
        if territory is None and principal.scope_type == ScopeType.territory:
            territory = principal.scope_id
        if territory is None:
            if not principal.unrestricted:
                raise Forbidden()
            units = await value_reads.territories(session)
            return page(request, "decisions.html", person=person, lines=None, territories=units)
        view = await decision_reads.decisions_view(
            reports(request),
            territory,
            _period(query.get("period")),
            _period(query.get("compare")),
            request.app.state.settings.today(),
        )
        names = await value_reads.unit_names(session, {("territory", territory)})
        return page(
            request,
            "decisions.html",
            before=view.before,
            after=view.after,
            person=person,
            lines=await decision_reads.decision_lines(session, view.found),
            territory_id=territory,
            territory_name=names.get(territory, ""),
            period=view.period,
            compare=view.compare,
        )

    return await _peer(request, person, read)
