"""HTTP: /v1/organizations and /v1/clusters."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from services.api.access import MANAGERS, ORGANIZATION_MANAGERS
from services.api.auth.deps import AccessDep, allowed
from services.api.organizations import clusters, service
from services.api.organizations.lookup import LookupRequest, OrganizationFacts, lookup
from services.api.organizations.models import Cluster, ClusterMember, Organization
from services.api.organizations.schemas import (
    ClusterCreate,
    ClusterRead,
    ClusterUpdate,
    OrganizationCreate,
    OrganizationKind,
    OrganizationRead,
    OrganizationUpdate,
)
from shared import etag
from shared.errors import Conflict, Forbidden, Invalid, NotFound, error_responses
from shared.pagination import Page, PaginationDep

router = APIRouter()
ERRORS = error_responses(Forbidden, NotFound, Invalid)
# A write may find the name taken by a sibling (409, services/api/sibling_names.py).
WRITES = error_responses(Forbidden, NotFound, Invalid, Conflict)
ORGANIZATION = etag.Versioned.of(Organization)
# A cluster's change writes its row and its members.
CLUSTER = etag.Versioned.of(Cluster, children=[(ClusterMember, "cluster_id")])
Search = Annotated[str | None, Query(max_length=200, description="Part of the name")]


@router.post(
    "/organizations",
    status_code=201,
    tags=["organizations"],
    responses=WRITES,
    dependencies=[allowed(*MANAGERS)],
)
async def create_organization(body: OrganizationCreate, access: AccessDep) -> OrganizationRead:
    organization = await service.create_organization(access, body)
    return OrganizationRead.model_validate(organization)


@router.get("/organizations", tags=["organizations"], responses=ERRORS)
async def list_organizations(
    access: AccessDep,
    page: PaginationDep,
    territory_id: uuid.UUID | None = None,
    cluster_id: uuid.UUID | None = None,
    kind: OrganizationKind | None = None,
    q: Search = None,
) -> Page[OrganizationRead]:
    """Organizations in the caller's scope; `territory_id` includes the territories under it."""
    items, total = await service.list_organizations(
        access,
        page,
        territory_id=territory_id,
        cluster_id=cluster_id,
        kind=kind,
        q=q,
    )
    return Page(items=[OrganizationRead.model_validate(o) for o in items], total=total)


@router.get(
    "/organizations/{organization_id}", tags=["organizations"], responses=ERRORS | etag.TAGGED
)
async def get_organization(
    organization_id: uuid.UUID, access: AccessDep, response: Response
) -> OrganizationRead:
    """One organization the caller sees (404 otherwise), with its `ETag`."""
    organization = await service.get_organization(access, organization_id)
    await etag.tag_response(response, access.session, ORGANIZATION, organization.id)
    return OrganizationRead.model_validate(organization)


@router.patch(
    "/organizations/{organization_id}",
    tags=["organizations"],
    responses=WRITES | etag.CONDITIONAL,
    dependencies=[allowed(*ORGANIZATION_MANAGERS)],
)
async def update_organization(
    organization_id: uuid.UUID,
    body: OrganizationUpdate,
    access: AccessDep,
    response: Response,
    if_match: etag.IfMatchDep,
) -> OrganizationRead:
    """Change an organization (`context` merged); with `If-Match` only if it is unchanged
    since (412 otherwise, nothing changed). Answers the new `ETag`."""
    async with etag.precondition(access.session, ORGANIZATION, organization_id, if_match, response):
        organization = await service.update_organization(access, organization_id, body)
    return OrganizationRead.model_validate(organization)


@router.post(
    "/clusters",
    status_code=201,
    tags=["clusters"],
    responses=WRITES,
    dependencies=[allowed(*MANAGERS)],
)
async def create_cluster(body: ClusterCreate, access: AccessDep) -> ClusterRead:
    cluster = await clusters.create_cluster(access, body)
    return (await clusters.read_clusters(access.session, [cluster]))[0]


@router.get("/clusters", tags=["clusters"], responses=ERRORS)
async def list_clusters(
    access: AccessDep,
    page: PaginationDep,
    territory_id: uuid.UUID | None = None,
    organization_id: uuid.UUID | None = None,
) -> Page[ClusterRead]:
    items, total = await clusters.list_clusters(
        access, page, territory_id=territory_id, organization_id=organization_id
    )
    return Page(items=await clusters.read_clusters(access.session, items), total=total)


@router.get("/clusters/{cluster_id}", tags=["clusters"], responses=ERRORS | etag.TAGGED)
async def get_cluster(cluster_id: uuid.UUID, access: AccessDep, response: Response) -> ClusterRead:
    """One cluster the caller sees (404 otherwise), with its `ETag` (of it and its members)."""
    cluster = await clusters.get_cluster(access, cluster_id)
    await etag.tag_response(response, access.session, CLUSTER, cluster.id)
    return (await clusters.read_clusters(access.session, [cluster]))[0]


@router.patch(
    "/clusters/{cluster_id}",
    tags=["clusters"],
    responses=WRITES | etag.CONDITIONAL,
    dependencies=[allowed(*MANAGERS)],
)
async def update_cluster(
    cluster_id: uuid.UUID,
    body: ClusterUpdate,
    access: AccessDep,
    response: Response,
    if_match: etag.IfMatchDep,
) -> ClusterRead:
    """Change a cluster (`member_ids` replaces them); with `If-Match` only if it is unchanged
    since (412 otherwise, nothing changed). Answers the new `ETag`."""
    async with etag.precondition(access.session, CLUSTER, cluster_id, if_match, response):
        cluster = await clusters.update_cluster(access, cluster_id, body)
    return (await clusters.read_clusters(access.session, [cluster]))[0]


@router.post("/organizations/lookup", tags=["organizations"], responses=ERRORS)
async def lookup_organizations(body: LookupRequest, access: AccessDep) -> list[OrganizationFacts]:
    """Territory chain, clusters, context (and staff) of many organizations in one call: what
    the surveys and reports services need. Organizations outside the caller's scope are left
    out; staff only for those who may read personal data."""
    return await lookup(access, body)
