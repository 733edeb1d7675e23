"""`soko`: run the whole system, one service, migrations or the demo data.

soko up [--demo]     embedded PostgreSQL (unless SOKO_DATABASE_URL is set), migrate, start
                     the three services and keep them running (a service that dies is started
                     again); Ctrl-C stops them and the database
soko serve NAME      one service under uvicorn (what `up` starts, and what Docker runs)
soko migrate         apply all migrations
soko demo            load the demo data into an empty database
soko resync [FEED]   rebuild the reports service's facts from the api and surveys change feeds
                     (both, or the one named); the services must be running
"""

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import httpx

from shared.embedded import EmbeddedPostgres
from shared.settings import ServiceName, Settings, get_settings

# Default ports; each service listens on the port of its URL (SOKO_API_URL, ...).
SERVICES: dict[ServiceName, int] = {"api": 8000, "surveys": 8001, "reports": 8002}
READY_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 15
# A service that dies is started again after a delay that doubles from the first to the
# longest while it keeps dying; dying this many times within the window, it is given up.
RESTART_FIRST_DELAY_SECONDS = 0.5
RESTART_LONGEST_DELAY_SECONDS = 10.0
GIVE_UP_DEATHS = 5
GIVE_UP_WINDOW_SECONDS = 60.0
TICK_SECONDS = 0.2
# After SIGTERM a service finishes the requests in flight for at most this long, then cancels
# them. A change feed's long poll (up to 30 s) answers at once then (`app.state.stopping`).
GRACEFUL_SHUTDOWN_SECONDS = 5


def say(message: str) -> None:
    print(f"soko: {message}", flush=True)


@contextmanager
def database(
    settings: Settings, *, owner: bool = False
) -> Iterator[tuple[str, EmbeddedPostgres | None]]:
    """The configured database, or an embedded one started for the duration of the block.

    A one-shot command (`migrate`, `demo`, `resync`) that finds the embedded server already
    running in the folder (a `soko up` of the same folder) uses it and leaves it running: its
    services keep their database. `owner` (`soko up`) stops the server at the end whoever
    started it, so that nothing is left running."""
    if settings.database_url:
        yield settings.database_url, None
        return
    embedded = EmbeddedPostgres(settings.data_dir)
    say(f"starting embedded PostgreSQL in {embedded.pgdata}")
    url = embedded.start()
    if embedded.found_running and not owner:
        say("the embedded PostgreSQL was already running (soko up?): used and left running")
        yield url, embedded
        return
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

    say("demo data: loaded into an empty database once (under a minute), else left as it is")
    say(asyncio.run(load(url, only_if_empty=True)))


def service_port(settings: Settings, name: ServiceName) -> int:
    """The port a service listens on: its URL's (SOKO_SURVEYS_URL, ...), by default 8000–8002."""
    return urlsplit(settings.peer_url(name)).port or SERVICES[name]


def _child_env(settings: Settings, url: str, workers: int | None) -> dict[str, str]:
    env = dict(os.environ, SOKO_DATABASE_URL=url)
    for name in SERVICES:
        env[f"SOKO_{name.upper()}_URL"] = settings.peer_url(name)
    if workers:
        env["SOKO_WORKERS"] = str(workers)
    return env


def _death(code: int) -> str:
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with code {code}"


class Child:
    """One service process of `soko up`: its command, its process, its deaths."""

    def __init__(self, name: ServiceName, settings: Settings, env: dict[str, str]) -> None:
        self.name, self.env = name, env
        self.url = settings.peer_url(name)
        port = str(service_port(settings, name))
        self.command = [sys.executable, "-m", "services.cli", "serve", name, "--port", port]
        self.proc: subprocess.Popen | None = None
        self.started_at = 0.0
        self.ready = False
        self.deaths: deque[float] = deque()
        self.delay = RESTART_FIRST_DELAY_SECONDS
        self.restart_at: float | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(self.command, env=self.env)  # noqa: S603 - our own module
        self.started_at, self.ready, self.restart_at = time.monotonic(), False, None

    def answers(self) -> bool:
        """Does its /readyz answer 200 (database, schema and peers fine)?"""
        try:
            return httpx.get(f"{self.url}/readyz", timeout=1.0).status_code == 200
        except httpx.TransportError:
            return False

    def died(self, now: float) -> bool:
        """Count a death; schedule the restart, or say it is given up (False)."""
        assert self.proc is not None
        ran = now - self.started_at
        if ran >= GIVE_UP_WINDOW_SECONDS:  # it had been running well: start afresh
            self.delay = RESTART_FIRST_DELAY_SECONDS
        self.deaths.append(now)
        while self.deaths and self.deaths[0] <= now - GIVE_UP_WINDOW_SECONDS:
            self.deaths.popleft()
        how = _death(self.proc.returncode)
        if len(self.deaths) >= GIVE_UP_DEATHS:
            say(
                f"{self.name} {how}; it died {len(self.deaths)} times within "
                f"{GIVE_UP_WINDOW_SECONDS:.0f} s: giving up, stopping everything"
            )
            return False
        say(
            f"{self.name} (pid {self.proc.pid}) {how} after {ran:.1f} s; starting it again in "
            f"{self.delay:g} s, the other services and the database keep running"
        )
        self.restart_at = now + self.delay
        self.delay = min(self.delay * 2, RESTART_LONGEST_DELAY_SECONDS)
        return True

    def stop(self, deadline: float) -> None:
        if self.proc is None:
            return
        try:
            self.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            say(f"{self.name} did not stop in {STOP_TIMEOUT_SECONDS} s; killing it")
            self.proc.kill()
            self.proc.wait()


class Supervisor:
    """Starts the services, restarts one that dies, stops all on Ctrl-C or SIGTERM.

    The signal handlers raise KeyboardInterrupt, except while a process is being started or
    the services are being stopped: then the signal is only noted (and acted on right after),
    so that no process is left unrecorded or half-stopped.
    """

    def __init__(self, children: list[Child]) -> None:
        self.children = children
        self.interrupted = False
        self._hold = False

    def on_signal(self, signum: int, frame: object) -> None:
        self.interrupted = True
        if not self._hold:
            raise KeyboardInterrupt

    def _start(self, child: Child) -> None:
        self._hold = True
        try:
            child.start()
        finally:
            self._hold = False
        if self.interrupted:
            raise KeyboardInterrupt

    def run(self, started: float) -> int:
        """Until Ctrl-C (KeyboardInterrupt), or 1 when a service is given up or never ready
        (READY_TIMEOUT_SECONDS from the services' start: migrations and the demo's load, which
        run before, do not count against it; `started` is when `soko up` began, for the
        announcement)."""
        for child in self.children:
            self._start(child)
        spawned = time.monotonic()
        announced = False
        while True:
            now = time.monotonic()
            for child in self.children:
                assert child.proc is not None
                if child.restart_at is not None:
                    if now >= child.restart_at:
                        self._start(child)
                        say(f"{child.name} started again (pid {child.proc.pid})")
                elif child.proc.poll() is not None:
                    if not child.died(now):
                        return 1
                elif not child.ready and child.answers():
                    child.ready = True
                    if announced:
                        say(f"{child.name} is ready again")
            if not announced:
                if all(child.ready for child in self.children):
                    self._announce(started)
                    announced = True
                elif now - spawned > READY_TIMEOUT_SECONDS:
                    say("the services did not become ready; see the log above")
                    return 1
            time.sleep(TICK_SECONDS)

    def _announce(self, started: float) -> None:
        say(f"ready in {time.monotonic() - started:.1f} s")
        for child in self.children:
            assert child.proc is not None
            say(f"{child.name:8} {child.url}  (docs: /docs, pid {child.proc.pid})")
        say("press Ctrl-C to stop")

    def stop(self) -> None:
        """SIGTERM to every running service, then wait (SIGKILL after STOP_TIMEOUT_SECONDS)."""
        self._hold = True  # from here on, a second Ctrl-C must not cut the stopping short
        running = [c for c in self.children if c.proc is not None and c.proc.poll() is None]
        if running:
            say("stopping the services")
        for child in running:
            assert child.proc is not None
            child.proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for child in running:
            child.stop(deadline)


def up(settings: Settings, *, demo: bool, workers: int | None = None) -> int:
    """Run everything until Ctrl-C (or SIGTERM), restarting a service that dies; 1 when one
    kept dying (GIVE_UP_DEATHS within GIVE_UP_WINDOW_SECONDS) or never became ready."""
    supervisor = Supervisor([])
    # A background job of a non-interactive shell inherits SIGINT ignored; take both back.
    signal.signal(signal.SIGINT, supervisor.on_signal)
    signal.signal(signal.SIGTERM, supervisor.on_signal)
    started = time.monotonic()
    exit_code = 0
    try:
        with database(settings, owner=True) as (url, _):
            migrate(url)
            if demo:
                load_demo(url)
            env = _child_env(settings, url, workers)
            supervisor.children = [Child(name, settings, env) for name in SERVICES]
            try:
                exit_code = supervisor.run(started)
            finally:
                supervisor.stop()
    except KeyboardInterrupt:
        supervisor.stop()
        say("stopped")
    return exit_code


def serve(settings: Settings, name: ServiceName, port: int, workers: int) -> None:
    """One service under uvicorn; with `workers` > 1, that many processes share the port (each
    runs the app's lifespan; what they must agree on is kept in PostgreSQL)."""
    import uvicorn

    from shared.logging import logging_config

    uvicorn.run(
        f"services.{name}.app:create_app",
        factory=True,
        host=settings.host,
        port=port,
        workers=workers,
        # A dict, not a call here: uvicorn applies it in every worker process too.
        log_config=logging_config(name, settings.log_level, settings.log_format),
        access_log=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        **settings.proxy_options(),  # X-Forwarded-For only from SOKO_TRUSTED_PROXIES
    )


def resync(settings: Settings, feeds: list[str]) -> int:
    """Read the change feeds again into the reports facts; 1 when a peer does not answer."""
    from services.reports.facts.running import resync_feeds
    from shared.errors import PeerUnavailable

    with database(settings) as (url, _):
        try:
            counts = asyncio.run(
                resync_feeds(settings.model_copy(update={"database_url": url}), feeds)
            )
        except PeerUnavailable as exc:
            say(f"resync failed: {exc.detail}; start the services first (soko up)")
            return 1
    for feed, changes in counts.items():
        say(f"{feed} feed: {changes} changes read again into the reports facts")
    return 0


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="soko", description="Soko: education quality assessment")
    commands = parser.add_subparsers(dest="command", required=True)
    up_cmd = commands.add_parser("up", help="start the database, migrate, run all three services")
    up_cmd.add_argument("--demo", action="store_true", help="load demo data into an empty database")
    up_cmd.add_argument(
        "--workers", type=_positive, help="processes per service (default SOKO_WORKERS)"
    )
    serve_cmd = commands.add_parser("serve", help="run one service under uvicorn")
    serve_cmd.add_argument("name", choices=sorted(SERVICES))
    serve_cmd.add_argument("--port", type=int, help="default: the port of the service's URL")
    serve_cmd.add_argument("--workers", type=_positive, help="processes (default SOKO_WORKERS)")
    commands.add_parser("migrate", help="apply all migrations")
    commands.add_parser("demo", help="load the demo data (into an empty database)")
    resync_cmd = commands.add_parser(
        "resync", help="rebuild the reports facts from the change feeds (services running)"
    )
    resync_cmd.add_argument("feeds", nargs="*", metavar="FEED", help="api, surveys (default both)")
    args = parser.parse_args(argv)
    if args.command == "resync" and set(args.feeds) - {"api", "surveys"}:
        parser.error(f"unknown feed: {', '.join(sorted(set(args.feeds) - {'api', 'surveys'}))}")
    settings = get_settings()

    if args.command == "up":
        return up(settings, demo=args.demo, workers=args.workers)
    if args.command == "serve":
        port = args.port or service_port(settings, args.name)
        serve(settings, args.name, port, args.workers or settings.workers)
        return 0
    if args.command == "resync":
        return resync(settings, args.feeds or ["api", "surveys"])
    with database(settings) as (url, _):
        migrate(url)
        if args.command == "demo":
            load_demo(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
