"""`python -m service …` as a child process on the embedded PostgreSQL (no `DATABASE_URL`),
as on a fresh machine, with its output in a log file: for the shutdown and worker scenarios."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

from tests.live_server import ROOT, free_port

STARTUP_SECONDS = 120
#: `SHUTDOWN_GRACE_SECONDS` of the services started here.
GRACE = 15


@dataclass
class Service:
    proc: subprocess.Popen[bytes]
    log: Path
    data_dir: Path
    url: str

    def text(self) -> str:
        return self.log.read_text(errors="replace")


def postmaster(data_dir: Path) -> psutil.Process | None:
    pid_file = data_dir / "pg" / "postmaster.pid"
    try:
        return psutil.Process(int(pid_file.read_text().splitlines()[0]))
    except (FileNotFoundError, IndexError, ValueError, psutil.NoSuchProcess):
        return None


def start_service(data_dir: Path, tmp: Path, args: list[str], **env: str) -> Service:
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environment.update(
        DATA_DIR=str(data_dir),
        ENVIRONMENT="test",
        LOG_LEVEL="INFO",
        PORT=str(port),
        PYTHONPATH=str(ROOT),
        SHUTDOWN_GRACE_SECONDS=str(GRACE),
        SCHEDULER_MAX_INTERVAL="1",
        # The scenarios fail logins from one address on purpose (each costs a hash); the
        # per-address throttle would answer them 429 without hashing.
        LOGIN_ADDRESS_MAX_FAILURES="1000000",
    )
    environment.update(env)
    log = tmp / "service.log"
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "service", *args],
        cwd=ROOT,
        env=environment,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    return Service(proc, log, data_dir, f"http://127.0.0.1:{port}")


def wait_for(service: Service, ready: str | None) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        assert service.proc.poll() is None, f"exited early:\n{service.text()[-3000:]}"
        if ready is not None and ready in service.text():
            return
        if ready is None:
            try:
                if httpx.get(service.url + "/health/ready", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
        time.sleep(0.2)
    raise AssertionError(f"not ready within {STARTUP_SECONDS} s:\n{service.text()[-3000:]}")


def kill_leftover_postmaster(data_dir: Path) -> None:
    """After a failed scenario: never leave a PostgreSQL server behind on the machine."""
    leftover = postmaster(data_dir)
    if leftover is not None and leftover.is_running():
        leftover.kill()
