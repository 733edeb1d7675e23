"""HTTP: /v1/organizations/{id}/api-keys."""

import uuid

from fastapi import APIRouter, Response

from services.api.access import ORGANIZATION_MANAGERS, Access, authorize
from services.api.api_keys import service
from services.api.api_keys.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyRead
from services.api.auth.deps import AccessDep, allowed
from shared.errors import Forbidden, Invalid, NotFound, error_responses
from shared.identity import ScopeType
from shared.pagination import Page, PaginationDep

router = APIRouter(tags=["api keys"])
ERRORS = error_responses(Forbidden, NotFound, Invalid)


async def _managed(access: Access, organization_id: uuid.UUID) -> None:
    """404 outside the caller's scope; 403 unless they manage the organization."""
    await authorize(
        access.principal,
        access.scopes,
        ScopeType.organization,
        organization_id,
        ORGANIZATION_MANAGERS,
    )


@router.post(
    "/organizations/{organization_id}/api-keys",
    status_code=201,
    responses=ERRORS,
    dependencies=[allowed(*ORGANIZATION_MANAGERS)],
)
async def create_api_key(
    organization_id: uuid.UUID,
    body: ApiKeyCreate,
    access: AccessDep,
    response: Response,
) -> ApiKeyCreated:
    """A key for the organization's information system; the key is in this answer only."""
    await _managed(access, organization_id)
    key, plain = await service.create_api_key(
        access.session, organization_id, body.name, access.principal.id
    )
    response.headers["Cache-Control"] = "no-store"
    return ApiKeyCreated(**ApiKeyRead.model_validate(key).model_dump(), key=plain)


@router.get(
    "/organizations/{organization_id}/api-keys",
    responses=ERRORS,
    dependencies=[allowed(*ORGANIZATION_MANAGERS)],
)
async def list_api_keys(
    organization_id: uuid.UUID, access: AccessDep, page: PaginationDep
) -> Page[ApiKeyRead]:
    """`{items, total}`: the organization's keys (never the keys themselves), oldest first,
    `limit` (default 50, at most 500) from `offset`. 404 for an organization outside the
    caller's scope, 403 unless they manage it, 422 naming `limit` or `offset` out of range."""
    await _managed(access, organization_id)
    keys, total = await service.list_api_keys(access.session, organization_id, page)
    return Page(items=[ApiKeyRead.model_validate(k) for k in keys], total=total)


@router.delete(
    "/organizations/{organization_id}/api-keys/{key_id}", status_code=204, responses=ERRORS
)
async def revoke_api_key(
    organization_id: uuid.UUID,
    key_id: uuid.UUID,
    access: AccessDep,
) -> Response:
    """Revoke the key: it stops working at once. 204, no body (and no content type)."""
    await _managed(access, organization_id)
    await service.revoke_api_key(access.session, organization_id, key_id)
    return Response(status_code=204)
