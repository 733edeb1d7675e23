"""The audit log of the api service, its one home. Every ORM write to an api-schema entity is
recorded by a flush hook, with the changed fields (before and after); secrets are left out.
Events the hook does not see (reads of personal diagnostic results, Core SQL) are recorded
through `record()`; bulk SQL statements record theirs in the same statement with
`bulk_events()`. All of them say who acted with `actor()`; the other services' entries arrive
through `record_entry()`.
"""

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from services.api.access import Access
from services.api.audit.models import AuditEvent
from services.api.audit.schemas import AuditEventCreate, EventFilter, OutboxEntry
from shared.context import client_address_var, request_id_var
from shared.errors import Forbidden
from shared.identity import Principal, Role, principal_var
from shared.pagination import Pagination, paginate, where_given

SERVICE = "api"


def _json(value: Any) -> Any:
    if isinstance(value, uuid.UUID | datetime | date | Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    return value


def actor(principal: Principal | None = None) -> dict[str, Any]:
    """Who makes a change, as the columns of its audit event: `service` (this one, or the Soko
    service the caller acts through), `actor_kind`, `actor_id`, `actor_role`, `via`,
    `request_id` and `address` (the request's). `principal`: by default the request's caller;
    none is the system."""
    principal = principal or principal_var.get()
    return {
        "service": principal.via if principal and principal.via else SERVICE,
        "actor_kind": principal.kind if principal else "system",
        "actor_id": principal.id if principal else None,
        "actor_role": principal.role.value if principal else None,
        "via": principal.via if principal else None,
        "request_id": request_id_var.get(),
        "address": client_address_var.get(),
    }


def _event(action: str, entity_type: str, entity_id: Any, changes: dict[str, Any]) -> AuditEvent:
    return AuditEvent(
        **actor(),
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id) if entity_id is not None else None,
        changes=_json(changes),
    )


def bulk_events(
    entity_type: str, *, entity_id: str, changes: str, rows: str, action: str | None = None
) -> str:
    """SQL that records one audit event for each row a bulk upsert wrote, for a `WITH` clause
    of the same statement: `rows` is its FROM clause, naming the written rows `w` with a boolean
    `w.inserted` (a create, else an update) unless `action` names them all ("delete");
    `entity_id` (text) and `changes` (jsonb) are SQL expressions over it. Its parameters are
    the keys of `actor()`. Only constant SQL of the caller may be passed (it is interpolated)."""
    kind = f"'{action}'" if action else "CASE WHEN w.inserted THEN 'create' ELSE 'update' END"
    return f"""
        INSERT INTO api.audit_event (service, actor_kind, actor_id, actor_role, via, action,
                                     entity_type, entity_id, changes, request_id, address)
        SELECT :service, :actor_kind, :actor_id, :actor_role, :via,
               {kind}, '{entity_type}',
               {entity_id}, {changes}, :request_id, :address
        FROM {rows}"""  # noqa: S608 - constant SQL of this service only


def field_changes(after: str, before: str) -> str:
    """SQL (jsonb) of the fields a bulk write changed, each {"before": …, "after": …}: `after`
    and `before` are jsonb objects of the row's fields (`before` NULL for a new row). Only
    constant SQL of the caller may be passed (it is interpolated)."""
    return f"""(SELECT coalesce(jsonb_object_agg(
                   n.key, jsonb_build_object('before', o.value, 'after', n.value)), '{{}}'::jsonb)
        FROM jsonb_each({after}) n LEFT JOIN jsonb_each({before}) o USING (key)
        WHERE n.value IS DISTINCT FROM coalesce(o.value, 'null'::jsonb))"""  # noqa: S608


# The last part of a bulk upsert whose `written` rows carry `inserted`: what it wrote.
WRITTEN_COUNTS = """SELECT count(*) FILTER (WHERE inserted) AS imported,
           count(*) FILTER (WHERE NOT inserted) AS updated
    FROM written"""


def _audited(obj: Any) -> bool:
    table = getattr(type(obj), "__table__", None)
    return table is not None and table.schema == "api" and getattr(obj, "__audit__", True)


def _columns(obj: Any) -> list[str]:
    exclude = getattr(obj, "__audit_exclude__", frozenset()) | {"created_at", "updated_at"}
    return [c.key for c in inspect(obj).mapper.column_attrs if c.key not in exclude]


def _changes(obj: Any, action: str) -> dict[str, Any]:
    state = inspect(obj)
    if action == "create":
        return {key: getattr(obj, key) for key in _columns(obj)}
    if action == "delete":
        return {key: state.attrs[key].loaded_value for key in _columns(obj)}
    changed = {}
    for key in _columns(obj):
        history = state.attrs[key].history
        if history.has_changes():
            before = history.deleted[0] if history.deleted else None
            after = history.added[0] if history.added else None
            if before != after:
                changed[key] = {"before": before, "after": after}
    return changed


def _entity_id(obj: Any) -> Any:
    identity = inspect(obj).identity
    if identity:
        return identity[0] if len(identity) == 1 else ":".join(map(str, identity))
    return getattr(obj, "id", None)


@event.listens_for(Session, "before_flush")
def _record_changes(session: Session, flush_context: Any, instances: Any) -> None:
    events = []
    for action, objects in (
        ("create", session.new),
        ("update", session.dirty),
        ("delete", session.deleted),
    ):
        for obj in objects:
            if not _audited(obj):
                continue
            changes = _changes(obj, action)
            if action == "update" and not changes:
                continue
            events.append(_event(action, type(obj).__tablename__, _entity_id(obj), changes))
    session.add_all(events)


async def record(
    session: AsyncSession,
    action: str,
    entity_type: str,
    entity_id: Any,
    changes: dict[str, Any] | None = None,
) -> None:
    """Record one event that the flush hook does not see (reads, bulk writes)."""
    session.add(_event(action, entity_type, entity_id, changes or {}))
    await session.flush()


async def record_entry(
    session: AsyncSession,
    caller: Principal,
    action: str,
    entity_type: str,
    entity_id: str | None,
    changes: dict[str, Any],
    entry: OutboxEntry,
) -> None:
    """Store an entry of a service's audit outbox as made by the actor it names, once: a
    second delivery of the same entry id changes nothing. Forbidden (403) unless the caller is
    a Soko service acting for nobody (the entry names the actor)."""
    if caller.kind != "service" or caller.via is not None:
        raise Forbidden("Записи из очереди аудита передают только сервисы Soko")
    statement = insert(AuditEvent.__table__).values(
        at=entry.at,
        service=caller.id,
        actor_kind=entry.actor_kind,
        actor_id=entry.actor_id,
        actor_role=entry.actor_role,
        via=caller.id,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        changes=_json(changes),
        request_id=entry.request_id,
        address=entry.address,
        entry_id=entry.id,
    )
    await session.execute(
        statement.on_conflict_do_nothing(
            index_elements=["entry_id"], index_where=AuditEvent.entry_id.is_not(None)
        )
    )


def require_service(access: Access) -> Access:
    """`access` when the caller is a Soko service (acting for a user or for nobody); Forbidden
    (403) otherwise. Checked before the body is validated: a person's malformed event gets
    403, as a well-formed one does."""
    caller = access.principal
    if caller.via is None and caller.role != Role.service:
        raise Forbidden("Записи в журнал аудита добавляют только сервисы Soko")
    return access


async def record_posted(access: Access, body: AuditEventCreate) -> None:
    """An event another Soko service posts (`POST /v1/audit-events`): from its outbox when it
    carries an `entry` (`record_entry`), else as the user the service acts for. Forbidden
    (403) unless the caller is a Soko service."""
    session, caller = require_service(access).session, access.principal
    if body.entry is not None:
        await record_entry(
            session, caller, body.action, body.entity_type, body.entity_id, body.changes, body.entry
        )
        return
    await record(session, body.action, body.entity_type, body.entity_id, body.changes)


def ensure_auditor(principal: Principal) -> None:
    """Forbidden (403) but for administrators: who reads the audit log."""
    if principal.role != Role.admin:
        raise Forbidden("Журнал аудита доступен администраторам")


async def list_events(
    access: Access, page: Pagination, filters: EventFilter
) -> tuple[list[AuditEvent], int]:
    """The newest events first, filtered; Forbidden (403) but for administrators."""
    ensure_auditor(access.principal)
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    query = where_given(
        query,
        (AuditEvent.entity_type, filters.entity_type),
        (AuditEvent.entity_id, filters.entity_id),
        (AuditEvent.actor_id, filters.actor_id),
        (AuditEvent.action, filters.action),
    )
    if filters.since is not None:
        query = query.where(AuditEvent.at >= filters.since)
    if filters.until is not None:
        query = query.where(AuditEvent.at < filters.until)
    return await paginate(access.session, query, page)
