"""HTTP: /v1/audit-events (read by administrators; written by the other Soko services)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.api.access import Access
from services.api.audit import service
from services.api.audit.schemas import AuditEventCreate, AuditEventRead, EventFilter
from services.api.audit.service import ensure_auditor
from services.api.auth.deps import AccessDep, gate
from shared.errors import Forbidden, error_responses
from shared.pagination import Page, PaginationDep

router = APIRouter(tags=["audit"])


@router.get(
    "/audit-events", responses=error_responses(Forbidden), dependencies=[gate(ensure_auditor)]
)
async def list_audit_events(
    access: AccessDep,
    page: PaginationDep,
    filters: Annotated[EventFilter, Query()],
) -> Page[AuditEventRead]:
    """Newest first; administrators only."""
    items, total = await service.list_events(access, page, filters)
    return Page(items=[AuditEventRead.model_validate(e) for e in items], total=total)


def _service_access(access: AccessDep) -> Access:
    return service.require_service(access)


@router.post("/audit-events", status_code=201, responses=error_responses(Forbidden))
async def record_audit_event(
    access: Annotated[Access, Depends(_service_access)], body: AuditEventCreate
) -> None:
    """For Soko services only (403 before the body is validated): the actor is the user they
    act for (`X-Soko-User`)."""
    await service.record_posted(access, body)
