"""The embedded PostgreSQL: `stop()` leaves nothing running, even after a restart from outside."""

from pathlib import Path

import asyncpg

from shared.db import plain_url
from shared.embedded import EmbeddedPostgres, restart


def postmaster_pid(embedded: EmbeddedPostgres) -> int:
    return int((embedded.pgdata / "postmaster.pid").read_text().split()[0])


def running(pid: int) -> bool:
    """Alive, and not a zombie waiting for a parent that does not reap it (pg_ctl's children
    are reparented to PID 1, which in a container may never reap them)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


async def test_a_server_restarted_from_outside_still_stops(tmp_path):
    embedded = EmbeddedPostgres(tmp_path)
    url = embedded.start()
    first = postmaster_pid(embedded)
    restart(embedded.pgdata)  # what the fault script (or an operator) does
    second = postmaster_pid(embedded)
    assert second != first and not running(first)
    conn = await asyncpg.connect(plain_url(url))  # the same URL reaches the restarted server
    assert await conn.fetchval("SELECT 1") == 1
    await conn.close()
    embedded.stop()
    assert not (embedded.pgdata / "postmaster.pid").exists()
    assert not running(second)
