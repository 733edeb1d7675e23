"""Audit entries of the surveys and reports services, delivered to the api service's audit log.

A change and its audit entry are one transaction: the entry is written to `audit_outbox` in the
service's own schema on the request's session, so a rolled-back change leaves no entry and a
committed one always has its entry. Once the request's session has committed, its entries are
sent at once (one attempt each, `POST /v1/audit-events` as this service); what does not get
through stays in the table and a background task of the app (`AuditOutbox.run`, started in the
lifespan) sends it later, with growing pauses. Each entry carries its id, under which the api
service stores it at most once, so a retry after a lost answer never makes a second event.
"""

import asyncio
import logging
import uuid
from datetime import UTC, datetime
from typing import Any, Self

from fastapi import Request
from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    String,
    Table,
    Uuid,
    delete,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.client import ServiceClient, record_audit
from shared.context import client_address_var, request_id_var
from shared.db import after_commit, metadata
from shared.identity import principal_var

logger = logging.getLogger("soko.audit_outbox")
AUDIT_PATH = "/v1/audit-events"
BATCH = 100
MAX_PAUSE_SECONDS = 300


def audit_outbox_table(schema: str) -> Table:
    """The outbox of one service (in its own schema); the same object on every call."""
    if (existing := metadata.tables.get(f"{schema}.audit_outbox")) is not None:
        return existing
    return Table(
        "audit_outbox",
        metadata,
        Column("id", Uuid, primary_key=True),  # the entry's id: the api stores it once
        Column("created_at", DateTime(timezone=True), nullable=False),  # when the change was made
        Column("action", String(40), nullable=False),
        Column("entity_type", String(60), nullable=False),
        Column("entity_id", String(100)),
        Column("changes", JSONB, nullable=False),
        Column("actor_kind", String(20), nullable=False),
        Column("actor_id", String(100)),
        Column("actor_role", String(40)),
        Column("request_id", String(128)),
        Column("address", String(64)),
        Column("attempts", Integer, nullable=False, server_default="0"),
        Column("next_attempt_at", DateTime(timezone=True), nullable=False),
        schema=schema,
    )


class AuditOutbox:
    """One per app of the surveys and reports services (`app.state.audit_outbox`).

    `api`: the client of the api service; `sessions`: the app's session factory, used by the
    background task; `interval`: seconds between its rounds, and the first pause of an entry
    that did not get through (doubled after each failure, at most `MAX_PAUSE_SECONDS`).
    """

    def __init__(
        self,
        service: str,
        api: ServiceClient,
        sessions: async_sessionmaker[AsyncSession],
        *,
        interval: float = 5.0,
    ) -> None:
        self.service = service
        self._api = api
        self._sessions = sessions
        self._table = audit_outbox_table(service)
        self.interval = interval

    async def add(
        self,
        session: AsyncSession,
        action: str,
        entity_type: str,
        entity_id: str | None,
        changes: dict[str, Any],
    ) -> uuid.UUID:
        """Write one entry in the request's transaction, as the caller of this request (the
        user a service acts for), and send it once the session has committed. Returns its id."""
        principal = principal_var.get()
        entry_id = uuid.uuid4()
        now = datetime.now(UTC)
        await session.execute(
            insert(self._table).values(
                id=entry_id,
                created_at=now,
                action=action,
                entity_type=entity_type,
                entity_id=entity_id,
                changes=changes,
                actor_kind=principal.kind if principal else "system",
                actor_id=principal.id if principal else None,
                actor_role=principal.role.value if principal else None,
                request_id=request_id_var.get(),
                address=client_address_var.get(),
                next_attempt_at=now,
            )
        )
        pending: list[uuid.UUID] = session.info.setdefault("audit_outbox", [])
        if not pending:
            after_commit(session, self._send_committed)
        pending.append(entry_id)
        return entry_id

    async def _send_committed(self, session: AsyncSession) -> None:
        ids = session.info.pop("audit_outbox", [])
        try:
            await self.deliver(session, ids)
        except Exception:  # the change stands; the background task sends the entries later
            logger.warning("audit entries not sent after commit; the outbox keeps them")

    async def deliver(self, session: AsyncSession, ids: list[uuid.UUID] | None = None) -> int:
        """Send the entries `ids` (None: those due, up to `BATCH`), one attempt each; delete
        what the api service took, put the rest off. Commits; returns how many are left."""
        t = self._table
        query = select(t).order_by(t.c.created_at).limit(BATCH).with_for_update(skip_locked=True)
        query = query.where(
            t.c.id.in_(ids) if ids is not None else t.c.next_attempt_at <= func.now()
        )
        rows = (await session.execute(query)).mappings().all()
        sent, failed = [], []
        for row in rows:
            (sent if await self._post(row) else failed).append(row["id"])
        if sent:
            await session.execute(delete(t).where(t.c.id.in_(sent)))
        if failed:
            pause = func.least(func.power(2, t.c.attempts) * self.interval, MAX_PAUSE_SECONDS)
            await session.execute(
                update(t)
                .where(t.c.id.in_(failed))
                .values(
                    attempts=t.c.attempts + 1,
                    next_attempt_at=func.now() + pause * text("interval '1 second'"),
                )
            )
        await session.commit()
        return len(failed)

    async def _post(self, row: Any) -> bool:
        body = {
            "action": row["action"],
            "entity_type": row["entity_type"],
            "entity_id": row["entity_id"],
            "changes": row["changes"],
            "entry": {
                "id": str(row["id"]),
                "at": row["created_at"].isoformat(),
                "actor_kind": row["actor_kind"],
                "actor_id": row["actor_id"],
                "actor_role": row["actor_role"],
                "request_id": row["request_id"],
                "address": row["address"],
            },
        }
        try:
            # A POST without an Idempotency-Key: one attempt, the outbox is the retry.
            response = await self._api.request("POST", AUDIT_PATH, json=body, as_service=True)
        except Exception as exc:
            logger.warning("audit entry %s not delivered: %s", row["id"], exc)
            return False
        if response.status_code != 201:
            logger.warning("audit entry %s refused: HTTP %d", row["id"], response.status_code)
            return False
        return True

    async def run(self) -> None:
        """Send what is due every `interval` seconds, until cancelled."""
        while True:
            await asyncio.sleep(self.interval)
            try:
                async with self._sessions() as session:
                    await self.deliver(session)
            except Exception:  # the database or the api is away: the next round tries again
                logger.warning("audit outbox round failed", exc_info=True)


class AuditingApiClient:
    """The base of the surveys and reports services' clients of the api service: calls go
    with this service's token and the user's identity (`X-Soko-User`), and `audit` records
    events in the api's audit log through this service's outbox."""

    def __init__(
        self,
        client: ServiceClient,
        *,
        outbox: AuditOutbox | None = None,
        session: AsyncSession | None = None,
    ) -> None:
        self.client = client
        self.outbox, self.session = outbox, session  # where `audit` writes its entries

    @classmethod
    def of_request(cls, request: Request, session: AsyncSession) -> Self:
        """The client of a request, writing audit entries through the request's session."""
        outbox = getattr(request.app.state, "audit_outbox", None)
        return cls(request.app.state.peers["api"], outbox=outbox, session=session)

    async def audit(
        self, action: str, entity_type: str, entity_id: str | None, changes: dict[str, Any]
    ) -> None:
        """Record an event in the audit log of the api service, as the user it is done for: in
        this service's outbox, in the request's transaction, sent once it commits. Without an
        outbox or a session (a client made outside a request), sent at once; PeerUnavailable
        (503) then if the api service does not take it."""
        if self.outbox is None or self.session is None:
            await record_audit(self.client, action, entity_type, entity_id, changes)
            return
        await self.outbox.add(self.session, action, entity_type, entity_id, changes)
