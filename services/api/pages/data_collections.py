"""Data collections on the homes, and their approval buttons.

On the leader's home: each collection asking their school for the current period (a
collection's newest window opened by today) with the school's completeness, the due date,
whether it is late, the indicators still without a value, what to check (the period's broken
validation rules and possible outliers, `quality_reads`), the comment of the analyst who
returned the data (or withdrew their approval), and the button to submit the data or to
withdraw a submission not yet approved. On the analyst's (and the administrator's) home: per
such collection the schools that are late (in the natural order of their names) with their
completeness, and the schools whose submitted data wait to be approved or returned with a
comment, each with how many broken rules and possible outliers its data have, and those whose
data the visitor's level approved, to withdraw the approval with a reason; an analyst also
sees what waits for another level of the chain (a region: what its municipalities have still to
approve, even in a collection of a municipality's own), by whose turn it is, with the names of
those territories (`Elsewhere`) — never «nothing submitted» while schools' data wait there.
Everything is read through `collections.status` and done through
`collections.approvals.take_step` with the visitor's `Access`: the page shows and allows
exactly what the API would.

`POST /collections/{id}/{action}` (submit, withdraw, approve, return, unapprove; fields
`organization_id`,
`period`, `comment`, the session's CSRF token): back to the home saying what was done, or a
Russian page with the API's reason (403, 404, 409, 422); a comment refused (blank where one
is required, too long) is said beside its field on the home (`step_problems`).
"""

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select, tuple_

from services.api.access import Access
from services.api.collections import approvals, service, status
from services.api.collections.models import CollectionApproval
from services.api.collections.schemas import (
    ApprovalState,
    ApprovalStep,
    CollectionRead,
    CollectionStatus,
    OrganizationStatus,
    WindowRead,
)
from services.api.pages import home_state, quality_reads, step_problems
from services.api.pages.forms import page_form
from services.api.pages.quality_reads import Checks
from services.api.pages.render import NO_STORE, page
from shared.db import SessionDep
from shared.errors import Conflict, Forbidden, Invalid, NotFound
from shared.identity import Role, ScopeType
from shared.pagination import Pagination
from shared.periods import parse_period
from shared.templating import natural_key

router = APIRouter(include_in_schema=False)
# How many collections a home shows at the most (one status query each: a handful in practice).
SHOWN = 20
ACTIONS = ("submit", "withdraw", "approve", "return", "unapprove")
SCHOOL_ACTIONS = frozenset({"submit", "withdraw"})


@dataclass
class CollectionLine:
    """One collection in its current window: the status of the organizations the visitor
    reads; for a leader `mine` and the names of the indicators it has not yet reported; for an
    analyst the `late` organizations and those `waiting` for approval, in natural order."""

    collection: CollectionRead
    window: WindowRead
    status: CollectionStatus
    mine: OrganizationStatus | None = None
    missing: list[str] = field(default_factory=list)
    # The leader's: what to check (broken rules, possible outliers) and the comment of the
    # last return or withdrawn approval.
    checks: list[str] = field(default_factory=list)
    note: "StepNote | None" = None
    late: list[OrganizationStatus] = field(default_factory=list)
    waiting: list[OrganizationStatus] = field(default_factory=list)
    # The analyst's: the organizations whose data the visitor's level approved last (and an
    # administrator: every approved one), whose approval the visitor may take back.
    approved: list[OrganizationStatus] = field(default_factory=list)
    # The analyst's: per organization, its broken rules and possible outliers in the period.
    counts: dict[uuid.UUID, Checks] = field(default_factory=dict)
    # The analyst's: what waits for the approval of other territories of the chain.
    elsewhere: "list[Elsewhere]" = field(default_factory=list)

    def offers(self, organization_id: uuid.UUID, action: str) -> bool:
        """Does the home show the form of `action` (one with a comment: withdraw, return,
        unapprove) for that organization's data, as _collections.html does?"""
        if action == "withdraw":
            mine = self.mine
            return (
                mine is not None
                and mine.organization_id == organization_id
                and (mine.approval.status == "submitted")
            )
        listed = {"return": self.waiting, "unapprove": self.approved}.get(action, [])
        return any(o.organization_id == organization_id for o in listed)

    @property
    def approved_through(self) -> tuple[int, int]:
        """(organizations whose data every level of their chain approved, those approved by
        lower levels only so far): «утверждено» counts the first, the second is said apart."""
        approvals = [o.approval for o in self.status.organizations]
        approved = [a for a in approvals if a.status == "approved"]
        full = sum(a.level >= a.levels for a in approved)
        return full, len(approved) - full


# Who approves, as «Ждут утверждения …» says it (a territory's kind).
_BY_KIND = {"municipality": "муниципалитетом", "region": "регионом"}


@dataclass
class Elsewhere:
    """Organizations whose data wait for territories of one kind that are not the visitor's:
    `by` the kind in words («муниципалитетом»), `territories` (name, the organizations' names)
    in natural order of the territories' names, the organizations in the status's order."""

    by: str
    territories: list[tuple[str, list[str]]]

    @property
    def count(self) -> int:
        """How many organizations wait."""
        return sum(len(names) for _, names in self.territories)


@dataclass(frozen=True)
class StepNote:
    """Why the data came back: `action` return or unapprove, the comment, the day (local)."""

    action: str
    comment: str
    day: date


def current_window(collection: CollectionRead, today: date) -> WindowRead | None:
    """The window of the current period: the newest opened by `today` (None: none yet)."""
    opened = [w for w in collection.windows if w.opens_date <= today]
    return max(opened, key=lambda w: (w.opens_date, w.period), default=None)


def waits_for(approval: ApprovalState, position: int | None) -> bool:
    """Whether the organization's data wait for the approver at `position` in its approval
    chain (1: its municipality, …, `levels`: the collection's owner) — as
    `approvals.take_step` would take their approval: submitted data for the first level,
    data approved up to the level below for the others; `position` None (an administrator):
    waiting for any level."""
    if approval.status not in ("submitted", "approved"):
        return False
    if position is None:
        return approval.level < approval.levels
    return approval.level == position - 1 and position <= approval.levels


async def _depth(access: Access, territory_id: uuid.UUID) -> int:
    """How many territories a territory is from the root (the root: 1)."""
    return len(await access.scopes.ancestors(territory_id))


async def lines(access: Access, today: date, timezone: str) -> list[CollectionLine]:
    """The collections concerning the visitor with a current window, newest first (at most
    `SHOWN`), each with its status for that period; `waiting`: the organizations whose data
    wait for the visitor's level of the approval chain (a region's analyst: those approved by
    their municipality); an analyst's `elsewhere`: those waiting for another level."""
    found, _ = await service.list_collections(access, Pagination(limit=SHOWN, offset=0))
    principal = access.principal
    analyst_of = principal.scope_id if principal.scope_type == ScopeType.territory else None
    depth = await _depth(access, analyst_of) if analyst_of else None
    found_lines = []
    checked: dict[tuple[uuid.UUID, str, frozenset[str]], dict[uuid.UUID, Checks]] = {}
    for collection in await service.read_collections(access.session, found):
        window = current_window(collection, today)
        if window is None:
            continue
        standing = await status.collection_status(
            access, collection.id, parse_period(window.period), today=today, timezone=timezone
        )
        line = CollectionLine(collection, window, standing)
        ordered = standing.organizations  # in natural order (collections/status.py)
        line.late = [o for o in ordered if o.late]
        # The visitor's position in an organization's chain: the owner is at its end (each
        # organization's `levels`), the visitor that many territories below the owner.
        below_owner = depth - await _depth(access, collection.owner_territory_id) if depth else 0
        line.waiting = [
            o
            for o in ordered
            if waits_for(o.approval, None if depth is None else o.approval.levels - below_owner)
        ]
        line.approved = [
            o
            for o in ordered
            if o.approval.status == "approved"
            and (depth is None or o.approval.level == o.approval.levels - below_owner)
        ]
        if analyst_of is not None:
            line.elsewhere = await _elsewhere(access, ordered, line.waiting)
        if line.waiting:  # collections of one owner and period share their checks
            codes = frozenset(collection.indicator_codes)
            key = (collection.owner_territory_id, window.period, codes)
            if key not in checked:
                checked[key] = await quality_reads.territory_checks(access, *key)
            line.counts = checked[key]
        found_lines.append(line)
    if principal.scope_type == ScopeType.organization and principal.scope_id is not None:
        school = principal.scope_id
        missing = await _missing_names(access, school, found_lines)
        asked: dict[str, set[str]] = {}  # per period, the indicators collections ask for
        for line in found_lines:
            asked.setdefault(line.window.period, set()).update(line.collection.indicator_codes)
        checks = await quality_reads.school_checks(access, school, asked) if asked else {}
        notes = await _notes(access, school, found_lines, timezone)
        for line in found_lines:
            line.mine = next(
                (o for o in line.status.organizations if o.organization_id == school), None
            )
            line.missing = missing.get(line.collection.id, [])
            own = set(line.collection.indicator_codes)  # the checks of its own indicators
            line.checks = [c.text for c in checks.get(line.window.period, []) if c.codes & own]
            line.note = notes.get((line.collection.id, line.window.period))
    return found_lines


async def _elsewhere(
    access: Access, ordered: list[OrganizationStatus], mine: list[OrganizationStatus]
) -> list[Elsewhere]:
    """The organizations of `ordered` whose data wait for an approval not the visitor's (not
    in `mine`), grouped by the kind of the territory whose turn it is (the lower level first),
    then by that territory; one query."""
    own = {o.organization_id for o in mine}
    turns = {
        o.organization_id: o.approval.level + 1
        for o in ordered
        if o.organization_id not in own and waits_for(o.approval, None)
    }
    territories = await approvals.whose_turn(access.session, turns)
    grouped: dict[str, dict[str, list[str]]] = {}
    lowest: dict[str, int] = {}  # per kind, the lowest level whose turn it is: the order
    for o in ordered:
        if o.organization_id in territories:
            _, name, kind = territories[o.organization_id]
            by = _BY_KIND.get(kind, "вышестоящей территорией")
            grouped.setdefault(by, {}).setdefault(name, []).append(o.name)
            lowest[by] = min(lowest.get(by, turns[o.organization_id]), turns[o.organization_id])
    return [
        Elsewhere(by, sorted(grouped[by].items(), key=lambda item: natural_key(item[0])))
        for by in sorted(grouped, key=lambda by: lowest[by])
    ]


async def _notes(
    access: Access, organization_id: uuid.UUID, found: list[CollectionLine], timezone: str
) -> dict[tuple[uuid.UUID, str], StepNote]:
    """Per (collection, period), the comment of the step that last sent the organization's
    data back (returned, or its approval withdrawn) while that is still where it stands; one
    query."""
    keys = [(line.collection.id, line.window.period) for line in found]
    if not keys:
        return {}
    rows = await access.session.execute(
        select(CollectionApproval).where(
            CollectionApproval.organization_id == organization_id,
            tuple_(CollectionApproval.collection_id, CollectionApproval.period).in_(keys),
            CollectionApproval.last_action.in_(("return", "unapprove")),
            CollectionApproval.comment.is_not(None),
        )
    )
    zone = ZoneInfo(timezone)
    return {
        (a.collection_id, a.period): StepNote(
            a.last_action, a.comment or "", a.updated_at.astimezone(zone).date()
        )
        for a in rows.scalars()
    }


async def _missing_names(
    access: Access, organization_id: uuid.UUID, found: list[CollectionLine]
) -> dict[uuid.UUID, list[str]]:
    """Per collection, the names of its indicators the organization is expected to report
    (as the status counts them) and has no value of for the current period; one query."""
    asked = [(line.collection.id, line.window.period) for line in found]
    expected = await status.expected_values(access.session, organization_id, asked)
    return {key: sorted(name for _, name in e.missing) for key, e in expected.items()}


async def home_context(request: Request, access: Access) -> dict[str, Any]:
    """The homes' `collections` (`CollectionLine`s) for leaders, analysts, administrators, and
    the `step_problem` a refused step's form was sent back with (`step_problems.again`); when
    that form is no longer on the home (someone else took a step on the organization's data
    meanwhile), `step_lost`: the same problem, said above the collections instead."""
    settings = request.app.state.settings
    if access.principal.role not in (Role.admin, Role.territory_analyst, Role.organization_leader):
        return {}
    found = await lines(access, settings.today(), settings.timezone)
    problem = step_problems.from_query(request.query_params)
    shown = (
        problem is not None
        and problem.problem != "moved"
        and any(
            line.collection.id == problem.collection_id
            and line.offers(problem.organization_id, problem.action)
            for line in found
        )
    )
    return {
        "collections": found,
        "step_problem": problem if shown else None,
        "step_lost": _lost(found, problem) if problem is not None and not shown else None,
    }


def _lost(found: list[CollectionLine], problem: step_problems.StepProblem) -> dict[str, Any]:
    """The refused step whose form is gone, with the names of its collection and organization
    (empty when the home no longer lists them)."""
    line = next((x for x in found if x.collection.id == problem.collection_id), None)
    organizations = line.status.organizations if line is not None else []
    if line is not None and line.mine is not None:
        organizations = [*organizations, line.mine]
    name = next((o.name for o in organizations if o.organization_id == problem.organization_id), "")
    return {
        "problem": problem,
        "collection": line.collection.name if line is not None else "",
        "organization": name,
    }


def _problem(request: Request, code: int, person: Any, detail: str) -> Response:
    """The Russian page of a refused step (`detail`: why)."""
    return page(
        request, "message.html", code, person=person, kind="step", subject="collection",
        detail=detail,
    )  # fmt: skip


def _organization_id(fields: dict[str, str]) -> uuid.UUID | None:
    """The form's `organization_id`, None when it is not an id (the step says so)."""
    try:
        return uuid.UUID(fields.get("organization_id", "").strip())
    except ValueError:
        return None


@router.post("/collections/{collection_id}/{action}")
async def take_step(
    collection_id: uuid.UUID, action: str, request: Request, session: SessionDep
) -> Response:
    """A collection's approval button (see the module's docstring)."""
    form = await page_form(request, session, max_fields=10)
    if isinstance(form, Response):
        return form
    person, fields = form.person, form.fields
    if action not in ACTIONS:
        return _problem(request, 404, person, "Такого действия со сбором данных нет.")
    try:
        step = ApprovalStep.model_validate(
            {
                "organization_id": fields.get("organization_id"),
                "period": fields.get("period"),
                "comment": fields.get("comment") or None,
            }
        )
        today = request.app.state.settings.today()
        await approvals.take_step(person.access(session), collection_id, action, step, today=today)
    except (ValidationError, Invalid) as wrong:
        problem = step_problems.typed(wrong)
        organization = _organization_id(fields)
        if problem is not None and organization is not None:  # the comment: beside it
            found = step_problems.StepProblem(action, collection_id, organization, problem)
            return step_problems.again(found, fields.get("back", ""))
        if isinstance(wrong, Invalid):  # the API's reason
            return _problem(request, wrong.status, person, wrong.detail)
        return _problem(request, 422, person, "Форма заполнена неверно: откройте главную снова.")
    except NotFound:
        return _problem(request, 404, person, "Такого сбора данных нет или он вам недоступен.")
    except Conflict as refused:  # the data's state moved since the page was shown
        organization = _organization_id(fields)
        if organization is None:
            return _problem(request, refused.status, person, refused.detail)
        moved = step_problems.StepProblem(action, collection_id, organization, "moved")
        return step_problems.again(moved, fields.get("back", ""))
    except Forbidden as refused:  # 403 with the API's reason
        return _problem(request, refused.status, person, refused.detail)
    where = home_state.home([("collection", action)], fields.get("back", ""), "#collections-title")
    return RedirectResponse(where, status_code=303, headers=NO_STORE)
