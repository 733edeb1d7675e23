"""Approval of what organizations report, multi-level as in DHIS2, and the lock it puts on it.

An organization's approval chain in a collection is its territory and each one above it up to
the collection's owner: level 1 its municipality, level 2 the region (when the region owns the
collection), and so on. The school's leader submits the data of a period (`submitted`, still
unlocked); the level-1 analyst approves (`approved`, level 1) or returns them with what to fix
(`returned`, to the school); the level-2 analyst then approves what level 1 approved, or
returns it to the school too. Until an approval, the leader may withdraw the submission
(`not_submitted` again, the step kept in the history). Unapproving (with a reason) takes the
top approval back: by the level that gave it or the one whose turn it is; from level 1 down
the data are `submitted` again and unlocked. Administrators act at the level whose turn it is.

While an approval stands (any level), every value of the collection's indicators of that
organization and period is locked: a data-values write that would add or change one is refused
whole (409), naming the approval (`collections.locks`). Each step is kept in the history
(`collection_approval_step`) and audited (the approval row's changes, by the flush hook).
"""

import uuid
from datetime import date
from typing import Any

from sqlalchemy import ARRAY, String, bindparam, func, literal, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.access import Access
from services.api.collections.models import (
    Collection,
    CollectionApproval,
    CollectionApprovalStep,
)
from services.api.collections.schemas import (
    ApprovalAction,
    ApprovalRead,
    ApprovalStep,
    ApprovalStepAnswer,
)
from services.api.collections.service import locked_collection, readable_collection, window_of
from services.api.collections.status import expected_values
from services.api.organizations.models import Organization
from services.api.territories.models import Territory
from shared.errors import Conflict, Forbidden, Invalid
from shared.identity import Principal, Role, ScopeType
from shared.numbers import percent
from shared.pagination import Pagination, paginate
from shared.periods import Period
from shared.scope import ensure_in_scope, readable_organizations
from shared.templating import quoted
from shared.texts import without_invisible

_CHAIN = text(
    """
    WITH RECURSIVE up AS (
        SELECT t.id, t.name, t.parent_id, 1 AS step
        FROM api.territory t JOIN api.organization o ON o.territory_id = t.id
        WHERE o.id = :organization_id AND o.kind = ANY(:kinds)
        UNION ALL
        SELECT t.id, t.name, t.parent_id, up.step + 1
        FROM api.territory t JOIN up ON t.id = up.parent_id
    )
    SELECT id, name FROM up ORDER BY step
    """
).bindparams(bindparam("kinds", type_=ARRAY(String)))


async def approval_chain(
    session: AsyncSession, collection: Collection, organization_id: uuid.UUID
) -> list[tuple[uuid.UUID, str]]:
    """The territories (id, name) that approve the organization's data, from its own up to the
    owner; a 422 naming `organization_id` when the collection does not ask it to report."""
    rows = await session.execute(
        _CHAIN, {"organization_id": organization_id, "kinds": collection.organization_kinds}
    )
    chain: list[tuple[uuid.UUID, str]] = []
    for territory_id, name in rows:
        chain.append((territory_id, name))
        if territory_id == collection.owner_territory_id:
            return chain
    raise Invalid.at("organization_id", "Организация не участвует в этом сборе данных")


# Per (organization, step): the territory `step` levels up its approval chain (1: its own).
_AT_STEP = text(
    """
    WITH RECURSIVE up AS (
        SELECT w.organization_id, w.step AS wanted, t.id, t.name, t.kind, t.parent_id, 1 AS step
        FROM unnest(CAST(:ids AS uuid[]), CAST(:steps AS int[])) AS w(organization_id, step)
        JOIN api.organization o ON o.id = w.organization_id
        JOIN api.territory t ON t.id = o.territory_id
        UNION ALL
        SELECT up.organization_id, up.wanted, t.id, t.name, t.kind, t.parent_id, up.step + 1
        FROM api.territory t JOIN up ON t.id = up.parent_id
        WHERE up.step < up.wanted
    )
    SELECT organization_id, id, name, kind FROM up WHERE step = wanted
    """
)


async def whose_turn(
    session: AsyncSession, waiting: dict[uuid.UUID, int]
) -> dict[uuid.UUID, tuple[uuid.UUID, str, str]]:
    """For organizations whose data wait for an approval (`waiting`: organization id → the
    level whose turn it is, 1 its own territory), that territory as (id, name, kind); one
    query. An organization without a territory that high is absent."""
    if not waiting:
        return {}
    rows = await session.execute(
        _AT_STEP, {"ids": list(waiting), "steps": [waiting[o] for o in waiting]}
    )
    return {organization: (tid, name, kind) for organization, tid, name, kind in rows}


def _level_of(access: Access, chain: list[tuple[uuid.UUID, str]]) -> int | None:
    """The caller's level in the chain (1 …), None for an administrator (the level whose
    turn it is); Forbidden (403) for an analyst whose territory is not in it."""
    principal = access.principal
    if principal.unrestricted:
        return None
    for position, (territory_id, _) in enumerate(chain, start=1):
        if principal.scope_type == ScopeType.territory and principal.scope_id == territory_id:
            return position
    approvers = ", ".join(quoted(name) for _, name in chain)
    raise Forbidden(
        "Утверждение данных этой организации не входит в полномочия вашей территории: "
        f"в этом сборе их утверждают аналитики территорий {approvers}"
    )


# Who takes the steps (the 403 to another role says it): by the school (True) or its territories.
_WHO_MAY = {
    True: "Подавать данные на утверждение и отзывать подачу может руководитель организации",
    False: "Утверждать данные, возвращать их на доработку и отзывать утверждение могут "
    "аналитики территорий, которые утверждают данные организации в этом сборе",
}


def school_step(principal: Principal) -> None:
    """Forbidden (403) unless the caller may take a school's steps (submit, withdraw): the
    organization's leader (admins and services always may)."""
    if not principal.unrestricted and principal.role != Role.organization_leader:
        raise Forbidden(_WHO_MAY[True])


def territory_step(principal: Principal) -> None:
    """Forbidden (403) unless the caller may take a territory's steps (approve, return,
    unapprove): a territory's analyst (admins and services always may)."""
    if not principal.unrestricted and principal.role != Role.territory_analyst:
        raise Forbidden(_WHO_MAY[False])


def _read(approval: CollectionApproval, levels: int) -> ApprovalRead:
    return ApprovalRead.model_validate({**approval.model_dump(), "levels": levels})


# What a return and an unapproval ask for when their comment is blank (the pages say it beside
# the field too).
COMMENT_ASKED = {"return": "Укажите, что исправить", "unapprove": "Укажите причину отзыва"}


def _required_comment(action: str, comment: str | None) -> str:
    """The comment a return or an unapproval must have, stripped, its line breaks kept; one of
    spaces or invisible characters only (a zero-width space pasted from Word) is none (422
    naming `comment`)."""
    if comment and (visible := without_invisible(comment, lines=True).strip()):
        return visible
    raise Invalid.at("comment", COMMENT_ASKED["unapprove" if action == "unapprove" else "return"])


def _named(chain: list[tuple[uuid.UUID, str]], level: int) -> str:
    """The territory at `level` (1 …) of the chain, as messages name it."""
    return quoted(chain[level - 1][1]) if 0 < level <= len(chain) else "вышестоящий уровень"


# A step the approval's state does not allow at all, by (action, status): what the state
# actually is, and what to do instead (an approved state's refusals name the level, below).
_REFUSED = {
    ("withdraw", "not_submitted"): "Данные не поданы на утверждение: отзывать нечего",
    ("withdraw", "returned"): "Данные уже возвращены на доработку, подача снята: отзывать "
    "нечего. Исправьте данные и подайте их снова",
    ("submit", "submitted"): "Данные уже поданы и ждут утверждения",
    ("unapprove", "not_submitted"): "Данные не поданы и не утверждены: отзывать нечего",
    ("unapprove", "submitted"): "Данные поданы, но ещё не утверждены: отзывать нечего",
    ("unapprove", "returned"): "Данные возвращены на доработку, а не утверждены: отзывать нечего",
    ("approve", "not_submitted"): "Организация ещё не подала данные на утверждение",
    ("approve", "returned"): "Данные возвращены на доработку: утвердить их можно, когда "
    "организация подаст их снова",
    ("return", "not_submitted"): "Организация ещё не подала данные на утверждение: "
    "возвращать нечего",
    ("return", "returned"): "Данные уже возвращены на доработку: организация ещё не подала "
    "их снова",
}


def _next(
    action: ApprovalAction,
    approval: CollectionApproval | None,
    actor: int | None,
    chain: list[tuple[uuid.UUID, str]],
) -> tuple[str, int, int]:
    """(status, level) after the step and the level it is taken at; Conflict (409) saying the
    approval's actual state when it does not allow the step."""
    status = approval.status if approval else "not_submitted"
    level = approval.level if approval else 0
    if (action, status) in _REFUSED:
        raise Conflict(_REFUSED[action, status])
    approved = f"Данные уже утверждены ({_named(chain, level)})"
    if action == "withdraw":
        if status == "approved":
            raise Conflict(
                f"{approved}: отозвать подачу нельзя, сначала должны отозвать утверждение"
            )
        return "not_submitted", 0, 0
    if action == "submit":
        if status == "approved":
            raise Conflict(f"{approved}: подавать их снова не нужно")
        return "submitted", 0, 0
    if action == "unapprove":
        actor = level if actor is None else actor
        if actor < level:
            raise Conflict(
                f"Данные утвердил вышестоящий уровень: сначала отзывает {_named(chain, level)}"
            )
        if actor > level + 1:
            raise Conflict(
                f"Отозвать утверждение может {_named(chain, level)} или следующий уровень"
            )
        return ("approved" if level > 1 else "submitted"), level - 1, actor
    return _reviewed(action, level, actor, chain)


def _reviewed(
    action: ApprovalAction, level: int, actor: int | None, chain: list[tuple[uuid.UUID, str]]
) -> tuple[str, int, int]:
    """An approval or a return of submitted (level 0) or approved data, at the caller's level
    (`actor`; None: the level whose turn it is); Conflict (409) when it is not that level's
    turn."""
    actor = level + 1 if actor is None else actor
    if action == "return" and (actor <= level or actor > len(chain)):
        raise Conflict(
            f"Данные уже утверждены ({_named(chain, level)}): чтобы вернуть их на доработку, "
            "сначала отзовите утверждение"
        )
    if actor > len(chain):
        raise Conflict("Данные уже утверждены на всех уровнях")
    if actor > level + 1:
        raise Conflict(f"Сначала данные утверждает {_named(chain, level + 1)}")
    if actor < level:
        raise Conflict(f"Данные уже утверждены на этом уровне и выше: {_named(chain, level)}")
    if actor == level:
        raise Conflict("Данные уже утверждены на этом уровне")
    return ("approved", actor, actor) if action == "approve" else ("returned", 0, actor)


async def _locked(
    session: AsyncSession, key: tuple[uuid.UUID, uuid.UUID, str]
) -> CollectionApproval | None:
    """The approval of (collection, organization, period), if any, locked for this step: one
    step at a time per key, the first submission too (there is no row to lock yet)."""
    await session.execute(
        select(func.pg_advisory_xact_lock(func.hashtext("|".join(map(str, key)))))
    )
    query = select(CollectionApproval).where(
        CollectionApproval.collection_id == key[0],
        CollectionApproval.organization_id == key[1],
        CollectionApproval.period == key[2],
    )
    return await session.scalar(query.with_for_update())


async def take_step(
    access: Access,
    collection_id: uuid.UUID,
    action: ApprovalAction,
    step: ApprovalStep,
    *,
    today: date,
) -> ApprovalStepAnswer:
    """Submit, withdraw, approve, return or unapprove one organization's data of a period;
    the answer says how complete the data are (`completeness`, `missing_indicator_codes`).

    404: the collection does not concern the caller (or was deleted meanwhile), or the
    organization is outside their scope (another school's leader); 403: a role that does not
    take this step (submit and withdraw: the school's leader; the others: an analyst of a
    territory in the chain); 422: the organization is not asked to report, the period has no
    window, no comment to a return or an unapprove; 409: the approval's state does not allow
    the step (a region approving before the municipality, a withdrawal of approved data or of
    nothing submitted), or a submission before the window opens. The collection's row is
    held (FOR SHARE) until the step commits: a change or deletion of it waits, or is waited
    for (`service.locked_collection`)."""
    principal, session = access.principal, access.session
    collection = await readable_collection(access, collection_id)
    await ensure_in_scope(principal, access.scopes, ScopeType.organization, step.organization_id)
    # Read afresh under a share lock: a change of the collection (its kinds, indicators,
    # windows) or its deletion waits for this step, or this step for it, and the chain, the
    # window and the answer below are of the collection as it then stands.
    collection = await locked_collection(session, collection.id, shared=True)
    by_school = action in ("submit", "withdraw")
    (school_step if by_school else territory_step)(principal)
    chain = await approval_chain(session, collection, step.organization_id)
    window = await window_of(session, collection.id, step.period, where="body")
    actor = 0 if by_school else _level_of(access, chain)
    comment = step.comment.strip() if step.comment and step.comment.strip() else None
    if action in ("return", "unapprove"):
        comment = _required_comment(action, step.comment)
    if action == "submit" and today < window.opens_date:
        raise Conflict(f"Сбор за {step.period.code} откроется {window.opens_date:%d.%m.%Y}")
    key = (collection.id, step.organization_id, step.period.code)
    approval = await _locked(session, key)
    status, level, at_level = _next(action, approval, actor, chain)
    if approval is None:
        approval = CollectionApproval(
            collection_id=key[0], organization_id=key[1], period=key[2], status=status
        )
        session.add(approval)
    approval.status, approval.level = status, level
    approval.last_action, approval.comment = action, comment
    session.add(
        CollectionApprovalStep(
            collection_id=key[0],
            organization_id=key[1],
            period=key[2],
            action=action,
            level=at_level,
            territory_id=chain[at_level - 1][0] if at_level else None,
            status=status,
            comment=comment,
            actor_id=principal.id,
            actor_name=principal.name,
        )
    )
    await session.flush()
    found = await expected_values(session, step.organization_id, [(collection.id, key[2])])
    expected = found[collection.id]
    return ApprovalStepAnswer(
        **_read(approval, len(chain)).model_dump(),
        completeness=percent(expected.count - len(expected.missing), expected.count),
        missing_indicator_codes=[code for code, _ in expected.missing],
    )


def _area(owner: uuid.UUID) -> Any:
    """The owner's territories with their depth (the owner 1): an organization's chain is as
    long as its territory's depth."""
    area = select(Territory.id, literal(1).label("depth")).where(Territory.id == owner)
    area = area.cte("area", recursive=True)
    below = select(Territory.id, area.c.depth + 1).join(area, Territory.parent_id == area.c.id)
    return area.union_all(below)


async def list_approvals(
    access: Access,
    collection_id: uuid.UUID,
    page: Pagination,
    *,
    period: Period | None = None,
    organization_id: uuid.UUID | None = None,
    status: str | None = None,
) -> tuple[list[ApprovalRead], int]:
    """The approvals of the collection the caller reads: of the organizations in their scope
    (a municipality's analyst sees its schools' submissions, the region's what they and the
    municipalities did), by period then organization name. An organization that never
    submitted has none; one that withdrew its submission is `not_submitted`."""
    collection = await readable_collection(access, collection_id)
    area = _area(collection.owner_territory_id)
    query = (
        select(CollectionApproval, area.c.depth)
        .join(Organization, Organization.id == CollectionApproval.organization_id)
        .join(area, area.c.id == Organization.territory_id)
        .where(CollectionApproval.collection_id == collection.id)
        .order_by(CollectionApproval.period, Organization.name, Organization.id)
    )
    readable = await readable_organizations(access.principal, access.scopes)
    if readable is not None:
        query = query.where(CollectionApproval.organization_id.in_(readable))
    if period is not None:
        query = query.where(CollectionApproval.period == period.code)
    if organization_id is not None:
        query = query.where(CollectionApproval.organization_id == organization_id)
    if status is not None:
        query = query.where(CollectionApproval.status == status)
    rows, total = await paginate(access.session, query, page, whole_rows=True)
    return [_read(approval, depth) for approval, depth in rows], total


async def approval_history(
    access: Access,
    collection_id: uuid.UUID,
    page: Pagination,
    *,
    organization_id: uuid.UUID | None = None,
    period: Period | None = None,
) -> tuple[list[CollectionApprovalStep], int]:
    """The approval steps of the collection, oldest first, of the organizations the caller
    reads (404 naming one outside their scope)."""
    collection = await readable_collection(access, collection_id)
    query = (
        select(CollectionApprovalStep)
        .where(CollectionApprovalStep.collection_id == collection.id)
        .order_by(CollectionApprovalStep.id)
    )
    if organization_id is not None:
        scope = ScopeType.organization
        await ensure_in_scope(access.principal, access.scopes, scope, organization_id)
        query = query.where(CollectionApprovalStep.organization_id == organization_id)
    readable = await readable_organizations(access.principal, access.scopes)
    if readable is not None:
        query = query.where(CollectionApprovalStep.organization_id.in_(readable))
    if period is not None:
        query = query.where(CollectionApprovalStep.period == period.code)
    return await paginate(access.session, query, page)
