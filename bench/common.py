"""What the benchmarks share: a scratch database, a real api server process, timing."""

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from shared.db import plain_url
from shared.embedded import EmbeddedPostgres
from shared.migrations import upgrade

ADMIN = ("bench@soko.example", "bench-password-1")


@contextlib.contextmanager
def server_url() -> Iterator[str]:
    """SOKO_BENCH_DATABASE_URL (a server), else an embedded PostgreSQL in a temporary folder."""
    configured = os.environ.get("SOKO_BENCH_DATABASE_URL")
    if configured:
        yield configured
        return
    folder = Path(tempfile.mkdtemp(prefix="soko-bench-"))
    embedded = EmbeddedPostgres(folder)
    embedded.start()
    try:
        yield embedded.url("postgres")
    finally:
        embedded.stop()


@contextlib.asynccontextmanager
async def scratch_database(server: str) -> AsyncIterator[str]:
    name = f"soko_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(plain_url(server))
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        await asyncio.to_thread(upgrade, url)
        yield url
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.asynccontextmanager
async def api_server(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """`soko serve api` as a real process; a client signed in as its administrator."""
    port = free_port()
    env = dict(
        os.environ,
        SOKO_DATABASE_URL=database_url,
        SOKO_BOOTSTRAP_ADMIN_EMAIL=ADMIN[0],
        SOKO_BOOTSTRAP_ADMIN_PASSWORD=ADMIN[1],
        SOKO_LOG_LEVEL="WARNING",
    )
    # A plain Popen: the process lives for the whole block, nothing here waits on it.
    process = subprocess.Popen(  # noqa: S603, ASYNC220 - our own interpreter and module
        [sys.executable, "-m", "services.cli", "serve", "api", "--port", str(port)], env=env
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=120) as client:
            for _ in range(100):
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get("/readyz")).status_code == 200:
                        break
                await asyncio.sleep(0.1)
            token = await client.post(
                "/v1/auth/token", data={"username": ADMIN[0], "password": ADMIN[1]}
            )
            client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
            yield client
    finally:
        process.terminate()
        process.wait(10)


class Timer:
    def __enter__(self) -> "Timer":
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.started
