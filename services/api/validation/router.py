"""HTTP: /v1/validation-rules (the catalogue) and /v1/validation-results (current violations)."""

import uuid

from fastapi import APIRouter, Response

from services.api.auth.deps import AccessDep, allowed
from services.api.validation import service
from services.api.validation.models import ValidationRule
from services.api.validation.schemas import (
    OrganizationViolations,
    ValidationRuleCreate,
    ValidationRuleRead,
    ValidationRuleUpdate,
)
from services.api.validation.service import EDITORS
from shared import etag
from shared.errors import Conflict, Forbidden, Invalid, NotFound, error_responses
from shared.pagination import Page, PaginationDep
from shared.periods import OptionalPeriodQuery

router = APIRouter(tags=["data quality"])
ERRORS = error_responses(Forbidden, NotFound, Invalid, Conflict)
RULE = etag.Versioned.of(ValidationRule)


@router.post(
    "/validation-rules", status_code=201, responses=ERRORS, dependencies=[allowed(*EDITORS)]
)
async def create_validation_rule(
    body: ValidationRuleCreate, access: AccessDep
) -> ValidationRuleRead:
    """A validation rule: `left operator right` over the values of one organization and
    period (indicator codes, numbers, + - * /, parentheses). An analyst's rule is their
    territory's own (applies to its organizations and below); a global one an administrator's.
    403 for other roles, 404 for an owner outside the caller's scope, 409 for a taken code,
    422 naming `left` or `right` for an expression that cannot be read or reads unknown
    indicators. The rule's current violations over the stored values are computed at once."""
    return ValidationRuleRead.model_validate(await service.create_rule(access, body))


@router.get("/validation-rules", responses=ERRORS)
async def list_validation_rules(access: AccessDep, page: PaginationDep) -> Page[ValidationRuleRead]:
    """The rules the caller sees (global ones, those of their territory, above it and, for
    an analyst, under it), by code."""
    rules, total = await service.list_rules(access, page)
    return Page(items=[ValidationRuleRead.model_validate(r) for r in rules], total=total)


@router.get("/validation-rules/{rule_id}", responses=ERRORS | etag.TAGGED)
async def get_validation_rule(
    rule_id: uuid.UUID, access: AccessDep, response: Response
) -> ValidationRuleRead:
    """One rule the caller sees (404 otherwise), with its `ETag`."""
    rule = await service.get_rule(access, rule_id)
    await etag.tag_response(response, access.session, RULE, rule.id)
    return ValidationRuleRead.model_validate(rule)


@router.patch(
    "/validation-rules/{rule_id}",
    responses=ERRORS | etag.CONDITIONAL,
    dependencies=[allowed(*EDITORS)],
)
async def update_validation_rule(
    rule_id: uuid.UUID,
    body: ValidationRuleUpdate,
    access: AccessDep,
    response: Response,
    if_match: etag.IfMatchDep,
) -> ValidationRuleRead:
    """Change a rule (its owner's analysts; a global rule an administrator): 403 for what the
    caller sees but may not change, 404 for what they do not see, 422 naming the field. Its
    violations are recomputed (removed when `active` is false). With `If-Match` only if the
    rule is unchanged since (412 otherwise, nothing changed); answers the new `ETag`."""
    async with etag.precondition(access.session, RULE, rule_id, if_match, response):
        rule = await service.update_rule(access, rule_id, body)
    return ValidationRuleRead.model_validate(rule)


@router.delete("/validation-rules/{rule_id}", status_code=204, responses=ERRORS)
async def delete_validation_rule(rule_id: uuid.UUID, access: AccessDep) -> Response:
    """Delete a rule and its violations (who may: as for a change)."""
    await service.delete_rule(access, rule_id)
    return Response(status_code=204)


@router.get("/validation-results", responses=ERRORS)
async def list_validation_results(
    access: AccessDep,
    page: PaginationDep,
    period: OptionalPeriodQuery,
    territory_id: uuid.UUID | None = None,
    organization_id: uuid.UUID | None = None,
) -> Page[OrganizationViolations]:
    """The current violations of validation rules per organization (by name; `total` counts
    organizations), of the organizations the caller reads: an analyst their territory's, a
    school's people their school's. Optionally of one territory (and below), organization or
    period. 404 for a territory the caller does not see or an organization they do not
    read. A violation is recomputed on every write of the values it reads."""
    items, total = await service.list_results(
        access,
        page,
        territory_id=territory_id,
        organization_id=organization_id,
        period=period.code if period else None,
    )
    return Page(items=items, total=total)
