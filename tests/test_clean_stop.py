"""A stop is clean: a service told to stop while a change feed's long poll waits answers that
poll at once (no changes, the same cursor) and exits within seconds, logging no error.

The first test runs `soko serve` as a real process (as tests/test_cli.py does) on a free port
against a scratch database; the others run the apps in process.
"""

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from bench.common import free_port
from shared.identity import issue_service_token
from shared.migrations import upgrade
from shared.settings import Settings
from tests.changes import get_changes, read_all
from tests.conftest import run_sync
from tests.test_cli import READY_SECONDS, stack_env

STOP_SECONDS = 4.0  # well under the graceful shutdown's 5 s, let alone a poll's 25 s


def serve(database: str, folder: Path, port: int) -> subprocess.Popen:
    """`soko serve api` on `port`, its output (INFO and up) to `folder`/serve.log."""
    env = stack_env(database) | {
        "SOKO_DATA_DIR": str(folder),
        "SOKO_LOG_LEVEL": "INFO",
        "SOKO_SURVEYS_URL": "http://127.0.0.1:9",
        "SOKO_REPORTS_URL": "http://127.0.0.1:9",
    }
    with (folder / "serve.log").open("wb") as out:
        return subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "services.cli", "serve", "api", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def caught_up(base: str, headers: dict[str, str]) -> str:
    """A cursor past everything the feed holds now, once the service answers."""
    deadline = time.monotonic() + READY_SECONDS
    cursor = ""
    while True:
        try:
            answer = httpx.get(
                f"{base}/v1/changes", params={"after": cursor}, headers=headers, timeout=30
            )
        except httpx.TransportError:
            assert time.monotonic() < deadline, "the service did not start"
            time.sleep(0.3)
            continue
        assert answer.status_code == 200, answer.text
        cursor = answer.json()["cursor"]
        if not answer.json()["has_more"]:
            return cursor


def test_sigterm_answers_a_waiting_long_poll_and_the_service_stops_cleanly(
    scratch_database, tmp_path
):
    database = scratch_database()
    run_sync(upgrade, database)
    port = free_port()
    process = serve(database, tmp_path, port)
    try:
        base = f"http://127.0.0.1:{port}"
        # The service generated its secret in the data folder; a peer's token signed with it.
        own = Settings(environment="development", data_dir=tmp_path)
        headers = {"Authorization": f"Bearer {issue_service_token(own, 'reports')}"}
        cursor = caught_up(base, headers)
        answers: list[httpx.Response] = []
        poll = threading.Thread(
            target=lambda: answers.append(
                httpx.get(
                    f"{base}/v1/changes",
                    params={"after": cursor, "wait": 25},
                    headers=headers,
                    timeout=40,
                )
            )
        )
        poll.start()
        time.sleep(1.0)
        assert poll.is_alive(), "the long poll answered before the stop"
        stopped = time.monotonic()
        process.send_signal(signal.SIGTERM)
        # uvicorn raises the signal again once it has shut down: killed by SIGTERM, cleanly.
        assert process.wait(STOP_SECONDS + 5) in (0, -signal.SIGTERM)
        took = time.monotonic() - stopped
        poll.join(5)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    log = (tmp_path / "serve.log").read_text(errors="replace")
    assert took < STOP_SECONDS, f"stopped in {took:.1f} s:\n{log[-3000:]}"
    assert [a.status_code for a in answers] == [200], log[-3000:]
    assert answers[0].json() == {"items": [], "cursor": cursor, "has_more": False}
    for sign in ("exception in asgi application", "traceback", '"level": "error"'):
        assert sign not in log.lower(), log[-3000:]
    assert "Finished server process" in log  # the log was written at all


async def test_a_waiting_long_poll_answers_at_once_when_the_process_is_told_to_stop(
    apps, settings, isolation
):
    _, cursor = await read_all(apps.surveys, settings)
    waiting = asyncio.create_task(get_changes(apps.surveys, settings, cursor, wait=25))
    stopping = apps.surveys.state.stopping
    try:
        await asyncio.sleep(0.5)
        assert not waiting.done(), "answered before the stop"
        told = time.monotonic()
        stopping.set()
        answer = await asyncio.wait_for(waiting, 10)
        took = time.monotonic() - told
    finally:
        stopping.clear()  # the apps serve the tests after this one
    assert answer.status_code == 200
    assert answer.json() == {"items": [], "cursor": cursor, "has_more": False}
    assert took < 1, f"answered {took:.2f} s after the stop"
