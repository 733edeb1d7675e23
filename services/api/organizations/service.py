"""Organizations: schools, kindergartens, additional education, colleges, with context data
and the days they opened and closed (`opened_on`, `closed_on`: what data collections expect of
them, services/api/collections/status.py)."""

import uuid
from datetime import date
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.dialects.postgresql import distinct_on

from services.api.access import MANAGERS, ORGANIZATION_MANAGERS, Access, authorize
from services.api.data_values.models import DataValue
from services.api.organizations.matching import naming_keys
from services.api.organizations.models import ClusterMember, Organization
from services.api.organizations.schemas import (
    OrganizationContext,
    OrganizationCreate,
    OrganizationUpdate,
)
from services.api.outliers import service as outliers
from services.api.sibling_names import refuse_named_alike
from shared.db import add_new, apply_changes
from shared.errors import Forbidden, Invalid
from shared.identity import Role, ScopeType
from shared.pagination import Pagination, containing, paginate, where_given
from shared.scope import ensure_in_scope, readable_organizations
from shared.templating import quoted

# What a school leader may change about their own school.
LEADER_FIELDS = frozenset({"short_name", "context"})


def check_open_dates(opened_on: date | None, closed_on: date | None) -> None:
    """An organization closes on or after the day it opened: a 422 naming `closed_on`
    otherwise (either may be null: open since always, still open)."""
    if opened_on is not None and closed_on is not None and closed_on < opened_on:
        raise Invalid.at(
            "closed_on",
            f"Дата закрытия ({closed_on:%d.%m.%Y}) раньше даты открытия ({opened_on:%d.%m.%Y})",
        )


async def refuse_taken_names(
    access: Access,
    territory_id: uuid.UUID,
    names: dict[str, str | None],
    own_id: uuid.UUID | None = None,
) -> None:
    """Conflict (409 naming the field, Russian detail naming the organization) when a name
    (`names`: `name` and/or `short_name`; None: not checked) would name in a file another
    organization of the territory as uploads match names (`matching.naming_keys`: its name,
    its name without the legal form, its short name — «Гимназия №1» or МАОУ «Гимназия № 1»
    beside МБОУ «Гимназия № 1», «СОШ 5» beside one whose short name it is): a file naming
    either would be ambiguous, or land on the wrong one (services/api/sibling_names.py)."""
    for field, value in names.items():
        if value is None:
            continue
        await refuse_named_alike(
            access.session,
            Organization,
            naming_keys(value) if field == "name" else naming_keys(None, value),
            among=Organization.territory_id == territory_id,
            own_id=own_id,
            lock=("organization", territory_id),
            message=(
                "В этой территории уже есть организация, которую в загружаемых файлах "
                f"назвало бы и {quoted(value)}"
            ),
            field=field,
            columns=(Organization.short_name,),
            keys_of=lambda row: naming_keys(row[1], row[2]),
        )


async def create_organization(access: Access, data: OrganizationCreate) -> Organization:
    """A new organization of a territory the caller manages; 422 naming `closed_on` when it
    is before `opened_on`; 409 naming `name` or `short_name` when another organization of the
    territory has it (`refuse_taken_names`)."""
    await authorize(
        access.principal, access.scopes, ScopeType.territory, data.territory_id, MANAGERS
    )
    check_open_dates(data.opened_on, data.closed_on)
    names = {"name": data.name, "short_name": data.short_name}
    await refuse_taken_names(access, data.territory_id, names)
    organization = Organization(**data.model_dump(exclude={"context"}))
    organization.context = data.context.model_dump(exclude_none=True)
    return await add_new(access.session, organization)


async def get_organization(
    access: Access, org_id: uuid.UUID, *, lock: bool = False
) -> Organization:
    """The organization if the caller sees it (NotFound otherwise). With `lock` (a change), its
    row is then locked and read afresh until the transaction ends: concurrent changes of one
    organization take turns, each merging into what the one before it stored."""
    await ensure_in_scope(access.principal, access.scopes, ScopeType.organization, org_id)
    organization = await access.session.get(Organization, org_id)
    assert organization is not None  # resolved above
    if lock:
        await access.session.refresh(organization, with_for_update=True)
    return organization


async def update_organization(
    access: Access, org_id: uuid.UUID, data: OrganizationUpdate
) -> Organization:
    """Analysts change everything; a school's leader its short name and context data. The
    opening and closing days are checked as they will stand (one sent, the other stored): 422
    naming `closed_on` when it would be before `opened_on`; 409 naming `name` or `short_name`
    when another organization of its territory has it (`refuse_taken_names`). The row is
    locked before it is read (`get_organization(lock=True)`): the context is merged into what
    a concurrent change committed, not into what both read."""
    principal, scopes = access.principal, access.scopes
    changes = data.model_dump(exclude_unset=True)
    await authorize(principal, scopes, ScopeType.organization, org_id, ORGANIZATION_MANAGERS)
    if principal.role == Role.organization_leader and set(changes) - LEADER_FIELDS:
        raise Forbidden("Руководитель может менять только краткое название и контекстные данные")
    if changes.get("territory_id"):
        await authorize(principal, scopes, ScopeType.territory, changes["territory_id"], MANAGERS)
    organization = await get_organization(access, org_id, lock=True)
    check_open_dates(
        changes.get("opened_on", organization.opened_on),
        changes.get("closed_on", organization.closed_on),
    )
    if {"name", "short_name", "territory_id"} & set(changes):
        moved = "territory_id" in changes
        names = {
            field: changes.get(field, getattr(organization, field))
            for field in ("name", "short_name")
            if field in changes or moved
        }
        territory = changes.get("territory_id") or organization.territory_id
        await refuse_taken_names(access, territory, names, own_id=organization.id)
    if "context" in changes:
        changes["context"] = merged_context(organization.context, data.context)
    dated = any(
        f in changes and changes[f] != getattr(organization, f) for f in ("opened_on", "closed_on")
    )
    left = organization.territory_id
    if changes.get("territory_id", left) == left:
        left = None  # not moved
    changed = await apply_changes(access.session, organization, changes)
    if dated or left:  # whom it is compared with (outliers.checks) changed
        await _recompute_flags(access, organization.id, left=left)
    return changed


async def _recompute_flags(
    access: Access, org_id: uuid.UUID, *, left: uuid.UUID | None = None
) -> None:
    """The outlier flags of every stored value of the organization and of its territory's
    groups of the same indicators and periods (`outliers.recompute`): a school closed or
    opened leaves or joins its territory's comparison of those periods at once. With `left`
    (the territory it moved from), that territory's groups of the same indicators and periods
    too: one value of another of its organizations per group, whose recomputation is the
    whole group's; the school's own values recompute the groups of the territory it joined.
    Both territories are first held (`outliers.lock_territories`): the values an import of
    them is writing are then committed and read here, or written after this commits."""
    session = access.session
    await session.flush()
    territory = await session.scalar(
        select(Organization.territory_id).where(Organization.id == org_id)
    )
    await outliers.lock_territories(session, [t for t in (territory, left) if t is not None])
    columns = (DataValue.indicator_id, DataValue.organization_id, DataValue.period)
    query = select(*columns).where(DataValue.organization_id == org_id)
    keys = [tuple(row) for row in await session.execute(query)]
    if left is not None and keys:
        groups = select(DataValue.indicator_id, DataValue.period).where(
            DataValue.organization_id == org_id
        )
        query = (
            select(*columns)
            .join(Organization, Organization.id == DataValue.organization_id)
            .where(
                Organization.territory_id == left,
                tuple_(DataValue.indicator_id, DataValue.period).in_(groups),
            )
            .ext(distinct_on(DataValue.indicator_id, DataValue.period))
            .order_by(DataValue.indicator_id, DataValue.period, DataValue.organization_id)
        )
        keys += [tuple(row) for row in await session.execute(query)]
    await outliers.recompute(session, keys)


def merged_context(stored: dict[str, Any] | None, sent: OrganizationContext | None) -> dict:
    """The context after a PATCH, as a JSON merge patch (RFC 7396) of the fields sent: each
    sent field replaces its value, one sent as null is removed, the others stay; `context:
    null` clears it. Sending `{"students": 601}` replaced the whole context and lost the
    school's rural flag, social index and the rest, which the context analysis reads; and
    two people changing two fields at once lost one change."""
    if sent is None:
        return {}
    merged = dict(stored or {})
    values = sent.model_dump(mode="json", include=sent.model_fields_set)
    for name in sent.model_fields_set:
        if values.get(name) is None:
            merged.pop(name, None)
        else:
            merged[name] = values[name]
    return merged


async def list_organizations(
    access: Access,
    page: Pagination,
    *,
    territory_id: uuid.UUID | None = None,
    cluster_id: uuid.UUID | None = None,
    kind: str | None = None,
    q: str | None = None,
) -> tuple[list[Organization], int]:
    query = select(Organization).order_by(Organization.name, Organization.id)
    readable = await readable_organizations(access.principal, access.scopes)
    if readable is not None:
        query = query.where(Organization.id.in_(readable))
    if territory_id is not None:
        subtree = await access.scopes.subtree(territory_id)
        query = query.where(Organization.territory_id.in_(subtree))
    if cluster_id is not None:
        members = select(ClusterMember.organization_id).where(
            ClusterMember.cluster_id == cluster_id
        )
        query = query.where(Organization.id.in_(members))
    query = where_given(query, (Organization.kind, kind))
    return await paginate(access.session, containing(query, q, Organization.name), page)
