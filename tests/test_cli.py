"""`soko up` and `soko serve` as real processes: a dead service is started again, one that keeps
dying is given up, Ctrl-C/SIGTERM leaves nothing behind, workers die with their supervisor, and
every process of a stack without SOKO_SECRET_KEY signs with the one generated secret.

Each test runs the real command in a subprocess on free ports (never 8000–8002) against a
scratch database of the test server, with a data folder of its own.
"""

import contextlib
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bench.common import free_port
from bench.up import Up, launch, session_processes
from services.cli import SERVICES, _child_env
from shared.identity import issue_service_token
from shared.migrations import upgrade
from shared.settings import SECRET_FILE, Settings
from tests.conftest import run_sync

ADMIN = ("up-admin@soko.example", "up-admin-password-1")
READY_SECONDS = 120  # three services starting on a busy two-core machine


def alive(pid: int) -> bool:
    """Running, and not a zombie."""
    try:
        return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False


def child_pids(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in children.read_text().split()] if children.exists() else []


def stack_env(database: str) -> dict[str, str]:
    """A development stack: no SOKO_SECRET_KEY (bench.up.launch adds its data folder and the
    services' URLs on free ports)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOKO_")}
    return env | {
        "SOKO_ENVIRONMENT": "development",
        "SOKO_DATABASE_URL": database,
        "SOKO_LOG_LEVEL": "WARNING",
        "SOKO_BOOTSTRAP_ADMIN_EMAIL": ADMIN[0],
        "SOKO_BOOTSTRAP_ADMIN_PASSWORD": ADMIN[1],
    }


def start_up(database: str, folder: Path) -> Up:
    """`soko up`, once all three services are ready."""
    up = launch(folder, stack_env(database))
    up.wait_for(r"^soko: ready in", READY_SECONDS)
    return up


def finish(up: Up) -> None:
    """Whatever a test left: stop the stack (its whole session killed if it does not stop)."""
    up.stop(30)


@pytest.fixture(scope="module")
def stack(scratch_database, tmp_path_factory) -> Iterator[Up]:
    """One `soko up` for the tests below; the last of them stops it."""
    url = scratch_database()
    up = start_up(url, tmp_path_factory.mktemp("up"))
    up.database_url = url
    try:
        yield up
    finally:
        finish(up)


def sign_in(up: Up) -> str:
    answer = httpx.post(
        f"{up.urls['api']}/v1/auth/token",
        data={"username": ADMIN[0], "password": ADMIN[1]},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["access_token"]


def test_every_service_of_the_stack_accepts_the_token_the_api_issued(stack):
    token = sign_in(stack)
    for name in ("surveys", "reports"):
        me = httpx.get(
            f"{stack.urls[name]}/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
        assert me.status_code == 200, me.text
        assert me.json()["role"] == "admin"


def test_the_stack_signs_with_the_secret_it_generated_and_refuses_the_default(stack):
    path = stack.data_dir / SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    own = Settings(environment="development", data_dir=stack.data_dir)
    public = Settings(environment="test")
    for name in ("surveys", "reports"):
        for settings, expected in ((own, 200), (public, 401)):
            token = issue_service_token(settings, "api")
            headers = {"Authorization": f"Bearer {token}"}
            answer = httpx.get(f"{stack.urls[name]}/v1/me", headers=headers, timeout=30)
            assert answer.status_code == expected, (name, answer.text)


class Poller(threading.Thread):
    """GETs /healthz of some services every 0.1 s and counts what did not answer 200."""

    def __init__(self, urls: list[str]) -> None:
        super().__init__(daemon=True)
        self.urls, self.done = urls, threading.Event()
        self.answered = 0
        self.failures: list[str] = []

    def run(self) -> None:
        with httpx.Client(timeout=5) as client:
            while not self.done.is_set():
                for url in self.urls:
                    try:
                        status = client.get(f"{url}/healthz").status_code
                    except httpx.TransportError as exc:
                        self.failures.append(f"{url}: {exc!r}")
                        continue
                    if status == 200:
                        self.answered += 1
                    else:
                        self.failures.append(f"{url}: {status}")
                time.sleep(0.1)


def _facts(up: Up) -> dict:
    answer = httpx.get(f"{up.urls['reports']}/readyz", timeout=30)
    return answer.json()["checks"].get("facts", {})


def test_the_reports_facts_follow_the_stack_and_soko_resync_rebuilds_them(stack):
    deadline = time.monotonic() + 30
    while not (facts := _facts(stack)).get("current") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert facts["ok"] and facts["current"], facts
    assert facts["feeds"]["api"]["following"] and facts["feeds"]["api"]["resets"] == 0
    resync = subprocess.run(
        [sys.executable, "-m", "services.cli", "resync"],
        env=stack_env(stack.database_url)
        | {f"SOKO_{name.upper()}_URL": url for name, url in stack.urls.items()}
        | {"SOKO_DATA_DIR": str(stack.data_dir)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert resync.returncode == 0, resync.stdout + resync.stderr
    assert "soko: api feed:" in resync.stdout and "soko: surveys feed:" in resync.stdout
    after = _facts(stack)
    assert {after["feeds"][feed]["resets"] for feed in ("api", "surveys")} == {1}
    assert after["ok"] and after["current"]


def test_a_killed_service_is_started_again_while_the_others_keep_answering(stack):
    before = {name: stack.pid(name) for name in SERVICES}
    others = Poller([stack.urls["api"], stack.urls["reports"]])
    others.start()
    os.kill(before["surveys"], signal.SIGKILL)
    stack.wait_for(r"^soko: surveys \(pid \d+\) was killed by SIGKILL", 10)
    restarted = int(stack.wait_for(r"^soko: surveys started again \(pid (\d+)\)", 30).group(1))
    stack.wait_for(r"^soko: surveys is ready again", READY_SECONDS)
    others.done.set()
    others.join()
    assert restarted != before["surveys"] and alive(restarted)
    assert stack.pid("surveys") == restarted
    assert others.failures == [] and others.answered > 10
    assert stack.process.poll() is None
    assert all(alive(stack.pid(name)) for name in SERVICES)
    assert stack.pid("api") == before["api"] and stack.pid("reports") == before["reports"]
    # The new process serves as the old one did, with the same secret.
    token = sign_in(stack)
    me = httpx.get(
        f"{stack.urls['surveys']}/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    assert me.status_code == 200, me.text


def test_sigterm_stops_every_service_and_leaves_nothing_behind(stack):
    """The last test of the stack: it stops it."""
    stack.process.send_signal(signal.SIGTERM)
    assert stack.process.wait(60) == 0
    assert session_processes(stack.process.pid) == []
    assert stack.soko_lines()[-2:] == ["soko: stopping the services", "soko: stopped"]
    # The reports service's long polls on both feeds were open: the stop answers them.
    stopping = stack.output().split("soko: stopping the services", 1)[1].lower()
    assert '"level": "error"' not in stopping and "traceback" not in stopping, stopping[-3000:]
    for url in stack.urls.values():
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{url}/healthz", timeout=2)


def hold_port(port: int, seconds: float = 5) -> socket.socket:
    """Listen on a port as soon as it is free (a process that held it is dying)."""
    deadline = time.monotonic() + seconds
    while True:
        holder = socket.socket()
        # As uvicorn does: connections of the killed process in TIME_WAIT do not block a bind.
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            holder.bind(("127.0.0.1", port))
            holder.listen()
            return holder
        except OSError:
            holder.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def test_a_service_that_keeps_dying_is_given_up_and_everything_stops(scratch_database, tmp_path):
    # Every start of the surveys service fails: something else holds its port.
    surveys_port = free_port()
    holder = hold_port(surveys_port)
    try:
        up = launch(tmp_path, stack_env(scratch_database()), {"surveys": surveys_port})
        try:
            assert up.process.wait(READY_SECONDS) == 1
        finally:
            finish(up)
    finally:
        holder.close()
    lines = up.soko_lines()
    deaths = [line for line in lines if re.match(r"soko: surveys \(pid \d+\) exited", line)]
    delays = [float(re.search(r"again in ([\d.]+) s", line).group(1)) for line in deaths]
    assert delays == [0.5, 1, 2, 4]  # the fifth death within a minute is not retried
    assert sum(line.startswith("soko: surveys started again") for line in lines) == 4
    assert any("died 5 times within 60 s: giving up" in line for line in lines), lines
    assert lines[-1] == "soko: stopping the services"
    assert session_processes(up.process.pid) == []  # api and reports stopped too


def test_the_workers_of_a_killed_serve_stop_and_free_the_port(scratch_database, tmp_path):
    database = scratch_database()
    run_sync(upgrade, database)
    port = free_port()
    env = stack_env(database) | {
        "SOKO_DATA_DIR": str(tmp_path),
        "SOKO_API_URL": "http://127.0.0.1:9",
    }
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "services.cli", "serve", "surveys", "--port", str(port)],
        env=env | {"SOKO_WORKERS": "2"},
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + READY_SECONDS
        workers: list[int] = []
        while len(workers) < 2 and time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    spawned = [p for p in child_pids(process.pid) if "spawn_main" in cmdline(p)]
                    workers = spawned if len(spawned) == 2 else []
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        assert len(workers) == 2, "SOKO_WORKERS=2 did not give two worker processes"
        process.kill()  # SIGKILL: the supervisor cannot pass anything on
        process.wait()
        deadline = time.monotonic() + 30
        while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(alive(pid) for pid in workers)
        hold_port(port, seconds=1).close()  # free for a new `soko serve`
    finally:
        with contextlib.suppress(ProcessLookupError):  # what is left of the session it started
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except FileNotFoundError:
        return ""


def test_soko_up_passes_the_number_of_workers_on(database_url):
    settings = Settings(database_url=database_url)
    env = _child_env(settings, database_url, workers=3)
    assert env["SOKO_WORKERS"] == "3"
    assert env["SOKO_SURVEYS_URL"] == settings.peer_url("surveys")


def test_soko_up_demo_on_an_empty_database_is_ready_however_long_the_demo_loads(
    scratch_database, tmp_path
):
    """The first hour: `soko up --demo` migrates, loads the demo (a minute or two on a busy
    machine, longer than the services' readiness window, which starts with the services) and
    says how to sign in; the analyst's account then signs in."""
    env = stack_env(scratch_database())
    env.pop("SOKO_BOOTSTRAP_ADMIN_EMAIL")
    env.pop("SOKO_BOOTSTRAP_ADMIN_PASSWORD")
    up = launch(tmp_path, env, None, "--demo")
    try:
        up.wait_for(r"^soko: ready in", 600)
        output = up.output()
        assert "demo data loaded" in output
        assert "analyst@demo.soko.ru" in output and "soko-demo-2026" in output
        assert httpx.get(f"{up.urls['api']}/", timeout=30).status_code == 200  # sign-in page
        token = httpx.post(
            f"{up.urls['api']}/v1/auth/token",
            data={"username": "analyst@demo.soko.ru", "password": "soko-demo-2026"},
            timeout=30,
        )
        assert token.status_code == 200, token.text
    finally:
        finish(up)
