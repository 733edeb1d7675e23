"""Faults under load: no acknowledged anonymous response is lost or stored twice.

    .venv/bin/python -m bench.fault_bench [--count 2000] [--clients 20] [--workers 1]

`soko up` runs in a temporary folder with its embedded PostgreSQL, on free ports, with the
anonymous limit raised. `count` anonymous submissions go to one campaign from `clients`
clients, each with its own Idempotency-Key and sent again after any error, 5xx, 429 or timeout
until acknowledged. Meanwhile, once a quarter are acknowledged, the surveys process is killed
(SIGKILL) and `soko up` must start it again; once 60 % are, PostgreSQL is restarted
(`pg_ctl restart -m fast` on the embedded server's folder, never the machine's server).
With `--workers 2` every service runs two workers (the killed process is their supervisor).
Then the database is counted: acknowledged, stored, duplicated, lost must be n, n, 0, 0.
The last line reads `RESULT acknowledged=… stored=… duplicated=… lost=…`.
"""

import argparse
import asyncio
import os
import random
import shutil
import signal
import tempfile
import time
from pathlib import Path

from bench.common import ADMIN
from bench.delivery import Delivery, deliver, tally
from bench.surveys_bench import anonymous_bodies, make_campaign
from bench.up import Up, launch, session_processes
from shared.embedded import restart, running_url

READY_SECONDS = 180


def stack_env(workers: int) -> dict[str, str]:
    """A development stack of its own: embedded database, generated secret, no limit to speak
    of (one address sends everything here)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOKO_")}
    return env | {
        "SOKO_WORKERS": str(workers),
        "SOKO_ANONYMOUS_RATE_PER_MINUTE": "10000000",
        "SOKO_BOOTSTRAP_ADMIN_EMAIL": ADMIN[0],
        "SOKO_BOOTSTRAP_ADMIN_PASSWORD": ADMIN[1],
        "SOKO_LOG_LEVEL": "WARNING",
    }


async def acknowledged_at_least(delivery: Delivery, count: int) -> None:
    while len(delivery.acknowledged) < count:  # noqa: ASYNC110 - progress of another task
        await asyncio.sleep(0.05)


async def faults(up: Up, delivery: Delivery, count: int) -> list[str]:
    """Kill the surveys process at 25 %, restart PostgreSQL at 60 %; what happened, in words."""
    said = []
    await acknowledged_at_least(delivery, count // 4)
    killed = up.pid("surveys")
    os.kill(killed, signal.SIGKILL)
    at = time.monotonic()
    said.append(f"surveys (pid {killed}) killed with SIGKILL at {len(delivery.acknowledged)}")
    ready_again = r"^soko: surveys is ready again"
    await asyncio.to_thread(up.wait_for, ready_again, READY_SECONDS)
    said.append(
        f"  soko up started it again (pid {up.pid('surveys')}), ready after "
        f"{time.monotonic() - at:.1f} s"
    )
    await acknowledged_at_least(delivery, count * 6 // 10)
    pgdata = up.data_dir / "pgdata"
    said.append(f"PostgreSQL restarted (pg_ctl restart -m fast) at {len(delivery.acknowledged)}")
    at = time.monotonic()
    await asyncio.to_thread(restart, pgdata)
    said.append(f"  back after {time.monotonic() - at:.1f} s")
    return said


async def run(folder: Path, count: int, clients: int, workers: int) -> int:
    up = launch(folder, stack_env(workers))
    try:
        await asyncio.to_thread(up.wait_for, r"^soko: ready in", READY_SECONDS)
        database = running_url(up.data_dir)
        assert database is not None
        campaign, orgs, likert, extra = await make_campaign(up.urls, organizations=20)
        bodies = anonymous_bodies(random.Random(5), orgs, likert, extra, count)
        url = f"{up.urls['surveys']}/v1/campaigns/{campaign}/responses"
        print(
            f"fault: {count} anonymous submissions from {clients} clients with Idempotency-Key; "
            f"{workers} worker{'s' if workers > 1 else ''} per service"
        )
        delivery = Delivery()
        sending = deliver(
            url, bodies, clients, key_prefix="fault", request_timeout=5, into=delivery
        )
        _, said = await asyncio.gather(sending, faults(up, delivery, count))
        for line in said:
            print(f"  {line}")
        retried = ", ".join(f"{why} ×{n}" for why, n in delivery.retried.most_common())
        print(
            f"  sent {delivery.attempts} requests in {delivery.seconds:.1f} s; retried: {retried}"
        )
        counts = await tally(database, campaign, delivery)
        print("  what soko up said:")
        for line in up.soko_lines():
            print(f"    {line}")
    finally:
        code = up.stop()
        left = session_processes(up.process.pid)
        stopped = not (up.data_dir / "pgdata" / "postmaster.pid").exists()
        print(
            f"  soko up stopped with code {code}; processes left: {len(left)}; "
            f"embedded PostgreSQL stopped: {'yes' if stopped else 'no'}"
        )
    print(f"RESULT {counts.line()}")
    ok = counts.acknowledged == counts.stored == count and counts.duplicated == counts.lost == 0
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=1, help="SOKO_WORKERS of every service")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="soko-fault-"))
    try:
        return asyncio.run(run(folder, args.count, args.clients, args.workers))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
