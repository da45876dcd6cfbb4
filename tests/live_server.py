"""Run the real service in a uvicorn subprocess on a free loopback port, for tests that need
real HTTP (fuzzing, browsers, the multi-process harness)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    def __init__(self, database_url: str, port: int | None = None, **env: str) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = dict(
            os.environ,
            DATABASE_URL=database_url,
            BASE_URL=self.url,
            ENVIRONMENT="test",
            SECRET_KEY="test-secret-key",
            SCHEDULER_ENABLED="false",
            LOG_LEVEL="WARNING",
            PYTHONPATH=str(ROOT),
            **env,
        )
        self.proc: subprocess.Popen[bytes] | None = None

    def spawn(self, log: IO[bytes] | None = None) -> None:
        """Start uvicorn without waiting, so several servers can boot at once."""
        self.proc = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "uvicorn", "service.asgi:app", "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "warning", "--no-access-log"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT if log is not None else None,
        )  # fmt: skip

    def wait_live(self, timeout: float = 30) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server {self.url} exited with {self.proc.returncode}")
            try:
                if httpx.get(self.url + "/health/live", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server {self.url} did not start within {timeout} s")

    def start(self, timeout: float = 30) -> LiveServer:
        self.spawn()
        self.wait_live(timeout)
        return self

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
