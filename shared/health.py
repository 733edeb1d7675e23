"""`/healthz` (the process answers) and `/readyz` (database, schema and peers), on every service."""

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from shared.client import ServiceClient
from shared.db import Database
from shared.migrations import current_revision
from shared.outage import describe

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is alive")
async def healthz(request: Request) -> dict[str, str]:
    return {"status": "ok", "service": request.app.state.service}


async def _check_database(db: Database, head: str | None) -> dict[str, Any]:
    try:
        async with db.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
            revision = await current_revision(conn)
    except Exception as exc:  # readiness reports any failure instead of raising it
        return {"database": describe(exc)}
    return {
        "database": {"ok": True},
        "schema": {"ok": revision == head, "revision": revision, "head": head},
    }


async def _check_peer(client: ServiceClient) -> tuple[str, dict[str, Any]]:
    return client.name, await client.ping()


@router.get(
    "/readyz", summary="Database reachable, schema at the latest migration, required peers up"
)
async def readyz(request: Request) -> JSONResponse:
    state = request.app.state
    peers: dict[str, ServiceClient] = state.peers
    db_checks, *peer_checks = await asyncio.gather(
        _check_database(state.db, state.migration_head),
        *(_check_peer(client) for client in peers.values()),
    )
    checks: dict[str, Any] = dict(db_checks)
    if peer_checks:
        checks["peers"] = dict(peer_checks)
    # A peer the service answers without (`optional_peers`) is reported, never waited for.
    optional = getattr(state, "optional_peers", frozenset())
    required = [p for name, p in peer_checks if name not in optional]
    ready = all(c["ok"] for c in db_checks.values()) and all(p["ok"] for p in required)
    # A service's own checks (e.g. the reports service's facts), once its database answers.
    if db_checks.get("database", {}).get("ok"):
        for name, check in getattr(state, "readiness_checks", {}).items():
            try:
                checks[name] = await check(request.app)
            except Exception as exc:  # readiness reports any failure instead of raising it
                checks[name] = describe(exc)
            ready = ready and checks[name]["ok"]
    return JSONResponse(
        {"status": "ready" if ready else "not_ready", "service": state.service, "checks": checks},
        status_code=200 if ready else 503,
    )
