"""A small cluster on one machine: its own PostgreSQL, several uvicorn servers, several
schedulers, and a real SMTP server, all on loopback, for the fault scenarios.

Every child process writes to its own log file under the cluster's directory; the directory
is kept when a scenario fails, so the servers' side of a failure can be read afterwards.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller

from service.embedded_db import EmbeddedPostgres
from service.migrate import migrate
from tests.live_server import ROOT, LiveServer, free_port

#: Pool sizes per process: 3 servers and 2 schedulers stay well under max_connections (100).
SERVER_POOL_MAX = "12"
WORKER_POOL_MAX = "8"
#: Mail retries on a small scale, so outage scenarios take seconds: first delay, longest delay
#: (also the longest pause between probes during an outage), horizon.
MAIL_RETRY_BASE_SECONDS = 0.5
MAIL_RETRY_MAX_SECONDS = 2.0
MAIL_RETRY_HORIZON_SECONDS = 300.0


@dataclass(frozen=True, slots=True)
class Received:
    message_id: str
    to: tuple[str, ...]
    subject: str
    at: float


class CollectingHandler:
    """Keeps every message received, with its Message-ID, for exactly-once counting."""

    def __init__(self) -> None:
        self.messages: list[Received] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        msg = message_from_bytes(envelope.content)
        item = Received(
            message_id=str(msg.get("Message-ID", "")).strip(),
            to=tuple(envelope.rcpt_tos),
            subject=str(msg.get("Subject", "")),
            at=time.monotonic(),
        )
        with self._lock:
            self.messages.append(item)
        return "250 OK"

    def snapshot(self) -> list[Received]:
        with self._lock:
            return list(self.messages)


class Server(LiveServer):
    """A LiveServer that logs to a file and can be spawned without waiting, so that several
    servers boot at once (importing the app takes seconds on a busy 2-core machine)."""

    def __init__(
        self, database_url: str, log_path: Path, *, env: dict[str, str], port: int | None = None
    ) -> None:
        super().__init__(database_url, port=port)
        self.env.update(env)
        self.log_path = log_path
        self._log: IO[bytes] | None = None

    def spawn(self, log: IO[bytes] | None = None) -> None:
        self._log = log or self.log_path.open("ab")
        super().spawn(self._log)

    def start(self, timeout: float = 60) -> Server:
        self.spawn()
        self.wait_live(timeout)
        return self

    def stop(self) -> None:
        super().stop()
        if self._log is not None:
            self._log.close()
            self._log = None


@dataclass
class Cluster:
    servers: int = 3
    schedulers: int = 2
    tmp: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="is-cluster-")))
    database_url: str = ""
    smtp_url: str = ""
    web: list[Server] = field(default_factory=list)
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    smtp: Controller | None = None
    mail: CollectingHandler = field(default_factory=CollectingHandler)
    _pg: EmbeddedPostgres | None = None
    _logs: list[IO[bytes]] = field(default_factory=list)

    @property
    def log_dir(self) -> Path:
        path = self.tmp / "logs"
        path.mkdir(exist_ok=True)
        return path

    def start_database(self) -> str:
        self._pg = EmbeddedPostgres(self.tmp)
        self.database_url = self._pg.start()
        migrate(self.database_url)
        return self.database_url

    def start_smtp(self, port: int | None = None) -> str:
        port = port or free_port()
        self.smtp = Controller(self.mail, hostname="127.0.0.1", port=port)
        self.smtp.start()
        self.smtp_url = f"smtp://127.0.0.1:{port}"
        return self.smtp_url

    def stop_smtp(self, grace: float = 1.0) -> None:
        """A mail server going down for maintenance: it stops accepting connections, lets the
        sessions in progress finish (up to `grace`), then stops; connections are refused."""
        assert self.smtp is not None and self.smtp.server is not None
        self.smtp.loop.call_soon_threadsafe(self.smtp.server.close)
        time.sleep(grace)
        self.smtp.stop()
        self.smtp = None

    def start_smtp_again(self) -> None:
        """The same server back on the same port, still collecting into `mail`."""
        port = int(self.smtp_url.rsplit(":", 1)[1])
        self.start_smtp(port)

    def _env(self) -> dict[str, str]:
        return {
            "SMTP_URL": self.smtp_url,
            "DB_POOL_MIN": "1",
            "DB_POOL_MAX": SERVER_POOL_MAX,
            # Mail jobs every 2 s instead of 10-30 s, so the reminder scenario waits less.
            "SCHEDULER_MAX_INTERVAL": "2",
            "MAIL_RETRY_BASE_SECONDS": str(MAIL_RETRY_BASE_SECONDS),
            "MAIL_RETRY_MAX_SECONDS": str(MAIL_RETRY_MAX_SECONDS),
            "MAIL_RETRY_HORIZON_SECONDS": str(MAIL_RETRY_HORIZON_SECONDS),
        }

    def start_servers(self) -> None:
        """Boot all servers at once and wait until each answers `/health/live`."""
        for index in range(self.servers):
            log = self.log_dir / f"server-{index}.log"
            self.web.append(Server(self.database_url, log, env=self._env()))
        for server in self.web:
            server.spawn()
        for server in self.web:
            server.wait_live(60)

    def kill_server(self, index: int) -> int:
        """SIGKILL, as the OOM killer or a crashed host would: no shutdown, no goodbyes."""
        proc = self.web[index].proc
        assert proc is not None and proc.poll() is None, f"server {index} is not running"
        proc.send_signal(signal.SIGKILL)
        return proc.wait(10)

    def respawn_server(self, index: int) -> None:
        """A supervisor's restart: a fresh process on the same port."""
        old = self.web[index]
        old.stop()
        new = Server(self.database_url, old.log_path, port=old.port, env=self._env())
        self.web[index] = new
        new.start()

    def start_schedulers(self) -> None:
        """`python -m service worker` processes. Job intervals are fixed in the scheduler's
        registry (no environment setting shortens them)."""
        env = {**self.web[0].env, **self._env(), "DB_POOL_MAX": WORKER_POOL_MAX}
        for index in range(self.schedulers):
            log = (self.log_dir / f"scheduler-{index}.log").open("ab")
            self._logs.append(log)
            self.workers.append(
                subprocess.Popen(  # noqa: S603
                    [sys.executable, "-m", "service", "worker"],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )

    def dead_processes(self) -> list[str]:
        """Children that exited on their own: none should, whatever the scenario did to them."""
        dead = [
            f"server {i} (exit {s.proc.returncode if s.proc else None})"
            for i, s in enumerate(self.web)
            if s.proc is None or s.proc.poll() is not None
        ]
        dead += [
            f"scheduler {i} (exit {w.returncode})"
            for i, w in enumerate(self.workers)
            if w.poll() is not None
        ]
        return dead

    def stop_database(self) -> None:
        """Fast shutdown: open connections are cut, in-flight transactions roll back."""
        self._pg_ctl(["-w", "-m", "fast", "stop"])

    def start_database_again(self) -> None:
        """Start the stopped server on the same socket directory, as a restart or failover."""
        assert self._pg is not None
        socket_dir = parse_qs(urlsplit(self.database_url).query)["host"][0]
        log = str(self._pg.data_dir / "log")
        self._pg_ctl(["-w", "-o", '-h ""', "-o", f"-k {socket_dir}", "-l", log, "start"])

    def _pg_ctl(self, args: list[str]) -> None:
        from pgserver import _commands

        assert self._pg is not None
        user = "pgserver" if os.geteuid() == 0 else None
        _commands.pg_ctl(  # type: ignore[attr-defined]
            args, pgdata=self._pg.data_dir, user=user, timeout=60
        )

    def stop(self, keep_logs: bool = False) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                worker.terminate()
        for worker in self.workers:
            try:
                worker.wait(15)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait(10)
        for server in self.web:
            server.stop()
        for log in self._logs:
            log.close()
        if self.smtp is not None:
            self.smtp.stop()
        if self._pg is not None:
            self._pg.stop()
        if keep_logs:
            shutil.rmtree(self.tmp / "pg", ignore_errors=True)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)
