"""`soko`: run the whole system, one service, migrations or the demo data.

soko up [--demo]     embedded PostgreSQL (unless SOKO_DATABASE_URL is set), migrate, start
                     the three services; Ctrl-C stops them and the database
soko serve NAME      one service under uvicorn (what `up` starts, and what Docker runs)
soko migrate         apply all migrations
soko demo            load the demo data into an empty database
"""

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from shared.embedded import EmbeddedPostgres
from shared.settings import Settings, get_settings

SERVICES = {"api": 8000, "surveys": 8001, "reports": 8002}
READY_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 15


def say(message: str) -> None:
    print(f"soko: {message}", flush=True)


@contextmanager
def database(settings: Settings) -> Iterator[tuple[str, EmbeddedPostgres | None]]:
    """The configured database, or an embedded one started for the duration of the block."""
    if settings.database_url:
        yield settings.database_url, None
        return
    embedded = EmbeddedPostgres(settings.data_dir)
    say(f"starting embedded PostgreSQL in {embedded.pgdata}")
    url = embedded.start()
    try:
        yield url, embedded
    finally:
        embedded.stop()
        say("embedded PostgreSQL stopped")


def migrate(url: str) -> None:
    from shared.migrations import head_revision, upgrade

    upgrade(url)
    say(f"database schema at {head_revision()}")


def load_demo(url: str) -> None:
    """Load the demo data unless the database already holds users' data."""
    from services.demo import load

    say(asyncio.run(load(url, only_if_empty=True)))


def _child_env(url: str) -> dict[str, str]:
    env = dict(os.environ, SOKO_DATABASE_URL=url)
    for name, port in SERVICES.items():
        env.setdefault(f"SOKO_{name.upper()}_URL", f"http://127.0.0.1:{port}")
    return env


def _wait_ready(procs: dict[str, subprocess.Popen], host: str) -> bool:
    """Poll every /readyz until all answer 200, a child dies, or the time runs out."""
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    pending = set(procs)
    while pending and time.monotonic() < deadline:
        for name in sorted(pending):
            if procs[name].poll() is not None:
                return False
            try:
                answer = httpx.get(f"http://{host}:{SERVICES[name]}/readyz", timeout=1.0)
            except httpx.TransportError:
                continue
            if answer.status_code == 200:
                pending.discard(name)
        time.sleep(0.3)
    return not pending


def _stop_children(procs: dict[str, subprocess.Popen]) -> None:
    for proc in procs.values():
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    for name, proc in procs.items():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            say(f"{name} did not stop in {STOP_TIMEOUT_SECONDS} s; killing it")
            proc.kill()
            proc.wait()


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def up(settings: Settings, *, demo: bool) -> int:
    """Run everything until Ctrl-C (or SIGTERM), or until one service dies."""
    # A background job of a non-interactive shell inherits SIGINT ignored; take both back.
    signal.signal(signal.SIGINT, _raise_interrupt)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    started = time.monotonic()
    procs: dict[str, subprocess.Popen] = {}
    exit_code = 0
    try:
        with database(settings) as (url, _):
            migrate(url)
            if demo:
                load_demo(url)
            env = _child_env(url)
            for name, port in SERVICES.items():
                procs[name] = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                    [sys.executable, "-m", "services.cli", "serve", name, "--port", str(port)],
                    env=env,
                )
            try:
                if not _wait_ready(procs, settings.host):
                    say("the services did not become ready; see the log above")
                    return 1
                say(f"ready in {time.monotonic() - started:.1f} s")
                for name, port in SERVICES.items():
                    say(f"{name:8} http://{settings.host}:{port}  (docs: /docs)")
                say("press Ctrl-C to stop")
                while True:
                    for name, proc in procs.items():
                        if proc.poll() is not None:
                            say(f"{name} exited with code {proc.returncode}; stopping the others")
                            exit_code = 1
                            return exit_code
                    time.sleep(0.5)
            finally:
                say("stopping the services")
                _stop_children(procs)
    except KeyboardInterrupt:
        _stop_children(procs)
        say("stopped")
    return exit_code


def serve(settings: Settings, name: str, port: int) -> None:
    import uvicorn

    from shared.logging import configure_logging

    configure_logging(name, settings.log_level, settings.log_format)
    uvicorn.run(
        f"services.{name}.app:create_app",
        factory=True,
        host=settings.host,
        port=port,
        log_config=None,
        access_log=False,
        **settings.proxy_options(),  # X-Forwarded-For only from SOKO_TRUSTED_PROXIES
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="soko", description="Soko: education quality assessment")
    commands = parser.add_subparsers(dest="command", required=True)
    up_cmd = commands.add_parser("up", help="start the database, migrate, run all three services")
    up_cmd.add_argument("--demo", action="store_true", help="load demo data into an empty database")
    serve_cmd = commands.add_parser("serve", help="run one service under uvicorn")
    serve_cmd.add_argument("name", choices=sorted(SERVICES))
    serve_cmd.add_argument("--port", type=int)
    commands.add_parser("migrate", help="apply all migrations")
    commands.add_parser("demo", help="load the demo data (into an empty database)")
    args = parser.parse_args(argv)
    settings = get_settings()

    if args.command == "up":
        return up(settings, demo=args.demo)
    if args.command == "serve":
        serve(settings, args.name, args.port or SERVICES[args.name])
        return 0
    with database(settings) as (url, _):
        migrate(url)
        if args.command == "demo":
            load_demo(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
