"""HTTP: /v1/audit-events (read by administrators; written by the other Soko services)."""

from datetime import datetime

from fastapi import APIRouter

from services.api.audit import service
from services.api.audit.schemas import AuditEventCreate, AuditEventRead
from services.api.auth.deps import Caller
from shared.db import SessionDep
from shared.errors import Forbidden, error_responses
from shared.identity import Role
from shared.pagination import Page, PaginationDep

router = APIRouter(tags=["audit"])


@router.get("/audit-events", responses=error_responses(Forbidden))
async def list_audit_events(
    session: SessionDep,
    caller: Caller,
    page: PaginationDep,
    entity_type: str | None = None,
    entity_id: str | None = None,
    actor_id: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Page[AuditEventRead]:
    """Newest first; administrators only."""
    if caller.role != Role.admin:
        raise Forbidden("Журнал аудита доступен администраторам")
    items, total = await service.list_events(
        session,
        page,
        entity_type=entity_type,
        entity_id=entity_id,
        actor_id=actor_id,
        action=action,
        since=since,
        until=until,
    )
    return Page(items=[AuditEventRead.model_validate(e) for e in items], total=total)


@router.post("/audit-events", status_code=201, responses=error_responses(Forbidden))
async def record_audit_event(body: AuditEventCreate, session: SessionDep, caller: Caller) -> None:
    """For Soko services only: the actor is the user they act for (`X-Soko-User`)."""
    if caller.via is None and caller.role != Role.service:
        raise Forbidden("Записи в журнал аудита добавляют только сервисы Soko")
    if body.entry is not None:
        await service.record_entry(
            session, caller, body.action, body.entity_type, body.entity_id, body.changes, body.entry
        )
        return
    await service.record(session, body.action, body.entity_type, body.entity_id, body.changes)
