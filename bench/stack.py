"""The services as real processes, wired so that the calls of the reports service can be counted.

The reports service gets an api process of its own: every request that process logs came from
the reports service, and the request id that the reports service passes on (X-Request-ID) says
which of our requests caused it. The surveys service's log counts the reports service's calls
to it; the shared api process's log, the calls the surveys service made meanwhile. Nothing in the
services is changed: only their URLs, their log level and where their output goes.
"""

import asyncio
import contextlib
import json
import re
import signal
import sys
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bench.common import free_port, service_env, start, wait_ready

# label -> service it runs; the reports service's peer is "api_reports".
LABELS = {"api": "api", "api_reports": "api", "surveys": "surveys", "reports": "reports"}
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass
class Stack:
    urls: dict[str, str]
    pids: dict[str, int]
    logs: Path

    def memory(self, label: str = "reports") -> dict[str, int]:
        """VmRSS and VmHWM (peak resident set) of a process, in MB (the peak never resets)."""
        status = Path(f"/proc/{self.pids[label]}/status").read_text()
        values = dict(re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", status, re.MULTILINE))
        return {key: int(value) // 1024 for key, value in values.items()}


@contextlib.asynccontextmanager
async def stack(
    database_url: str,
    logs: Path,
    *,
    profile: Path | None = None,
    env_of: dict[str, dict[str, str]] | None = None,
) -> AsyncIterator[Stack]:
    """api, api_reports, surveys and reports as `soko serve` processes (reports under cProfile
    when `profile` names the output file); their JSON logs in `logs`/<label>.log. `env_of`:
    more environment for one label's process (e.g. the surveys service's anonymous limit)."""
    ports = {label: free_port() for label in LABELS}
    urls = {label: f"http://127.0.0.1:{port}" for label, port in ports.items()}
    processes, files = {}, []
    try:
        for label, service in LABELS.items():
            wiring = {f"SOKO_{name.upper()}_URL": urls[name] for name in ("surveys", "reports")}
            wiring["SOKO_API_URL"] = urls["api_reports" if label == "reports" else "api"]
            level = "WARNING" if label == "reports" else "INFO"
            own = (env_of or {}).get(label, {})
            env = service_env(
                database_url, **wiring, SOKO_LOG_LEVEL=level, PYTHONUNBUFFERED="1", **own
            )
            prefix = [sys.executable]
            if profile is not None and label == "reports":
                prefix += ["-m", "cProfile", "-o", str(profile)]
            command = [*prefix, "-m", "services.cli", "serve", service, "--port", str(ports[label])]
            files.append(log := open(logs / f"{label}.log", "ab"))  # noqa: ASYNC230, SIM115
            processes[label] = start(command, env, stdout=log)
            await wait_ready(urls[label], "/healthz")
        for label in LABELS:
            await wait_ready(urls[label])
        yield Stack(urls, {label: p.pid for label, p in processes.items()}, logs)
    finally:
        for label, process in processes.items():
            # uvicorn stops on either; after SIGTERM it dies by the signal again, before
            # cProfile writes its file, while SIGINT ends in an exception that lets it write.
            process.send_signal(signal.SIGINT if profile and label == "reports" else signal.SIGTERM)
        for process in processes.values():
            await asyncio.to_thread(process.wait, 30)
        for log in files:
            log.close()


@dataclass
class Calls:
    """The calls one request of ours caused: how many per peer and path, and when the last
    one ended (epoch seconds; the services' logs carry no usable duration)."""

    count: Counter = field(default_factory=Counter)
    last: float = 0.0
    last_by_peer: dict[str, float] = field(default_factory=dict)

    def total(self, peer: str) -> int:
        return sum(n for (p, _), n in self.count.items() if p == peer)


def calls(logs: Path, prefix: str = "bench-") -> dict[str, Calls]:
    """Per request id of ours: the access-log lines of the peers (after the processes stop)."""
    found: dict[str, Calls] = defaultdict(Calls)
    peers = {"api_reports": "api", "surveys": "surveys", "api": "surveys→api"}
    for label, peer in peers.items():
        path = logs / f"{label}.log"
        if not path.exists():
            continue
        for line in path.read_text(errors="replace").splitlines():
            if not line.startswith("{"):
                continue
            entry = json.loads(line)
            request = entry.get("request_id") or ""
            if entry.get("logger") != "soko.access" or not request.startswith(prefix):
                continue
            key = (peer, f"{entry['method']} {_UUID.sub('{id}', entry['path'])}")
            found[request].count[key] += 1
            ended = datetime.fromisoformat(entry["ts"]).timestamp()
            found[request].last = max(found[request].last, ended)
            by_peer = found[request].last_by_peer
            by_peer[peer] = max(by_peer.get(peer, 0.0), ended)
    return found
