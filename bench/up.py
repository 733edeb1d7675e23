"""`soko up` as a real process on free ports, and what it says, for the fault script and tests."""

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import free_port

SERVICES = ("api", "surveys", "reports")


@dataclass
class Up:
    """A running `soko up` (in a session of its own): its process, output and services' URLs."""

    process: subprocess.Popen
    log: Path
    data_dir: Path
    urls: dict[str, str]

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def soko_lines(self) -> list[str]:
        return [line for line in self.output().splitlines() if line.startswith("soko: ")]

    def wait_for(self, pattern: str, seconds: float) -> re.Match:
        """The first line of its output matching `pattern`, waiting up to `seconds`."""
        deadline = time.monotonic() + seconds
        while True:
            if found := re.search(pattern, self.output(), re.MULTILINE):
                return found
            if time.monotonic() > deadline or self.process.poll() is not None:
                tail = self.output()[-4000:]
                raise AssertionError(f"no {pattern!r} in the output of soko up:\n{tail}")
            time.sleep(0.2)

    def pid(self, name: str) -> int:
        """The pid of a service's latest process, as `soko up` announced it."""
        found = re.findall(rf"^soko: {name}\b.*\bpid (\d+)\)$", self.output(), re.MULTILINE)
        return int(found[-1])

    def stop(self, seconds: float = 60) -> int:
        """SIGTERM, as Ctrl-C would; kill the whole session if it does not end in time."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(seconds)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        return self.process.returncode


def launch(
    folder: Path, env: dict[str, str], ports: dict[str, int] | None = None, *args: str
) -> Up:
    """Start `soko up ARGS` with `env` (plus SOKO_DATA_DIR in `folder` and the services' URLs
    on free ports, or on `ports`); its output goes to `folder`/up.log."""
    ports = {name: free_port() for name in SERVICES} | (ports or {})
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    data_dir = folder / "data"
    wiring = {f"SOKO_{name.upper()}_URL": url for name, url in urls.items()}
    log = folder / "up.log"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "services.cli", "up", *args],
            env=env | wiring | {"SOKO_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Up(process, log, data_dir, urls)


def session_processes(session: int) -> list[int]:
    """The live processes of a session (`soko up` and all it started run in their own)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            state, _, _, sid = (entry / "stat").read_text().rsplit(")", 1)[1].split()[:4]
        except (FileNotFoundError, ValueError):
            continue
        if int(sid) == session and state != "Z":
            found.append(int(entry.name))
    return found
