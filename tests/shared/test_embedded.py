"""The embedded PostgreSQL: `stop()` leaves nothing running, even after a restart from outside."""

import asyncio
import os
import subprocess
import sys
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


def test_a_one_shot_command_beside_soko_up_leaves_its_server_running(tmp_path):
    """`soko migrate`, `demo` and `resync` started from the folder of a running `soko up`
    (README: resync needs the services running) use its embedded server and leave it running:
    the services of that `soko up` keep their database."""
    embedded = EmbeddedPostgres(tmp_path)  # the server `soko up` started
    url = embedded.start()
    pid = postmaster_pid(embedded)
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SOKO_")}
        command = subprocess.run(
            [sys.executable, "-m", "services.cli", "migrate"],
            env=env | {"SOKO_DATA_DIR": str(tmp_path), "SOKO_ENVIRONMENT": "test"},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert command.returncode == 0, command.stdout + command.stderr
        assert "embedded PostgreSQL stopped" not in command.stdout
        assert running(pid) and postmaster_pid(embedded) == pid
        assert asyncio.run(select_one(url)) == 1
    finally:
        embedded.stop()
    assert not running(pid)


async def select_one(url: str) -> int:
    conn = await asyncpg.connect(plain_url(url))
    try:
        return await conn.fetchval("SELECT 1")
    finally:
        await conn.close()
