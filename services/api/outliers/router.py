"""HTTP: /v1/outlier-bounds (min–max per indicator) and /v1/outliers (the flagged values)."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from services.api.auth.deps import AccessDep, allowed
from services.api.outliers import service
from services.api.outliers.schemas import OutlierBoundIn, OutlierBoundRead, Outliers
from shared.errors import Forbidden, Invalid, NotFound, error_responses
from shared.identity import Role
from shared.pagination import Page, PaginationDep
from shared.periods import PeriodQuery

router = APIRouter(tags=["outliers"])
ERRORS = error_responses(Forbidden, NotFound, Invalid)
Code = Annotated[str, Query(min_length=1, max_length=80, description="Indicator code")]
OrganizationId = Annotated[
    uuid.UUID | None, Query(description="The organization's bound; absent: the global one")
]


@router.get("/outlier-bounds", responses=ERRORS)
async def list_outlier_bounds(
    access: AccessDep,
    page: PaginationDep,
    indicator_code: Annotated[str | None, Query(max_length=80)] = None,
    organization_id: uuid.UUID | None = None,
) -> Page[OutlierBoundRead]:
    """The min–max bounds the caller sees: the global ones of the indicators they see and
    those of the organizations they read. Without a bound, a percent indicator is checked
    against 0–100."""
    items, total = await service.list_bounds(
        access, page, indicator_code=indicator_code, organization_id=organization_id
    )
    return Page(items=items, total=total)


@router.put("/outlier-bounds", responses=ERRORS, dependencies=[allowed(Role.territory_analyst)])
async def put_outlier_bound(body: OutlierBoundIn, access: AccessDep) -> OutlierBoundRead:
    """Set an indicator's bound, for every organization (`organization_id` null: the
    indicator's owner, administrators for the global catalogue) or for one (the analysts whose
    scope holds it); the bound of the same key is replaced whole, and
    the flags of the values it applies to are recomputed. The organization's bound wins over
    the global one. 404 for an indicator or organization outside the caller's view, 403 for a
    bound they may not set, 422 naming the field."""
    return await service.put_bound(access, body)


@router.delete(
    "/outlier-bounds",
    status_code=204,
    responses=ERRORS,
    dependencies=[allowed(Role.territory_analyst)],
)
async def delete_outlier_bound(
    access: AccessDep, indicator_code: Code, organization_id: OrganizationId = None
) -> Response:
    """Remove the bound of this key (204 also when it had none) and recompute the flags of
    its values; the same rights as setting it."""
    await service.delete_bound(access, indicator_code, organization_id)
    return Response(status_code=204)


@router.get("/outliers", responses=ERRORS)
async def list_outliers(
    access: AccessDep,
    territory_id: uuid.UUID,
    period: PeriodQuery,
    indicator_code: Annotated[str | None, Query(max_length=80)] = None,
) -> Outliers:
    """The values of the period flagged now, per organization of the territory (and those
    under it) the caller reads: each with its check (`min_max`, `territory_z`, `history_z`),
    the value and the bound crossed or the median, sample size and modified z-score. 404 for
    a territory the caller does not see."""
    return await service.list_outliers(access, territory_id, period, indicator_code)
