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
from typing import IO

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
async def scratch_database(server: str, keep: str | None = None) -> AsyncIterator[str]:
    """A migrated database, dropped afterwards; `keep` names one that is reused and kept."""
    name = keep or f"soko_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(plain_url(server))
    if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
        await admin.execute(f'CREATE DATABASE "{name}"')
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        await asyncio.to_thread(upgrade, url)
        yield url
    finally:
        if keep is None:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(command: list[str], env: dict[str, str], stdout: IO | None = None) -> subprocess.Popen:
    # A plain Popen: the process lives for the whole benchmark, nothing waits on it here.
    # `stdout`: a file that receives the process's (JSON) log, for benchmarks that read it.
    return subprocess.Popen(command, env=env, stdout=stdout)  # noqa: S603 - our own modules


async def wait_ready(base: str, path: str = "/readyz") -> None:
    async with httpx.AsyncClient(base_url=base, timeout=5) as client:
        for _ in range(200):
            with contextlib.suppress(httpx.TransportError):
                if (await client.get(path)).status_code == 200:
                    return
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{base} did not become ready")


def service_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a service process; `extra` may override the defaults (log level)."""
    return (
        dict(
            os.environ,
            SOKO_DATABASE_URL=database_url,
            SOKO_BOOTSTRAP_ADMIN_EMAIL=ADMIN[0],
            SOKO_BOOTSTRAP_ADMIN_PASSWORD=ADMIN[1],
            SOKO_LOG_LEVEL="WARNING",
        )
        | extra
    )


@contextlib.asynccontextmanager
async def services(
    database_url: str,
    names: tuple[str, ...],
    env_of: dict[str, dict[str, str]] | None = None,
    **env: str,
) -> AsyncIterator[dict]:
    """`soko serve NAME` processes on free ports, wired to each other; their base URLs.
    `env` goes to every process, `env_of[NAME]` to one (e.g. its SOKO_WORKERS)."""
    ports = {name: free_port() for name in names}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    wiring = {f"SOKO_{name.upper()}_URL": url for name, url in urls.items()}
    processes = []
    try:
        for name in names:
            command = [
                sys.executable,
                "-m",
                "services.cli",
                "serve",
                name,
                "--port",
                str(ports[name]),
            ]
            own = env | (env_of or {}).get(name, {})
            processes.append(start(command, service_env(database_url, **wiring, **own)))
            await wait_ready(urls[name], "/healthz")
        for name in names:
            await wait_ready(urls[name])
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            await asyncio.to_thread(process.wait, 10)


async def signed_in(
    base: str,
    api: str | None = None,
    credentials: tuple[str, str] = ADMIN,
    request_timeout: float = 120,
) -> httpx.AsyncClient:
    """A client of `base` with a user's token (the administrator's unless `credentials`),
    issued by the api service at `api`."""
    async with httpx.AsyncClient(base_url=api or base, timeout=30) as issuer:
        token = await issuer.post(
            "/v1/auth/token", data={"username": credentials[0], "password": credentials[1]}
        )
    assert token.status_code == 200, token.text
    client = httpx.AsyncClient(base_url=base, timeout=request_timeout)
    client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
    return client


@contextlib.asynccontextmanager
async def api_server(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """`soko serve api` as a real process; a client signed in as its administrator."""
    async with services(database_url, ("api",)) as urls:
        client = await signed_in(urls["api"])
        try:
            yield client
        finally:
            await client.aclose()


class Timer:
    def __enter__(self) -> "Timer":
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.started
