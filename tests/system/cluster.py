"""A small cluster on one machine: its own PostgreSQL, several uvicorn servers, several
schedulers, and a real SMTP server, all on loopback, for the fault scenarios."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from service.embedded_db import EmbeddedPostgres
from service.migrate import migrate
from tests.live_server import ROOT, LiveServer, free_port


class CollectingHandler:
    """Keeps every message received, with its Message-ID, for exactly-once counting."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        from email import message_from_bytes

        msg = message_from_bytes(envelope.content)
        with self._lock:
            self.messages.append(
                {
                    "message_id": msg.get("Message-ID", ""),
                    "to": envelope.rcpt_tos,
                    "subject": msg.get("Subject", ""),
                }
            )
        return "250 OK"


@dataclass
class Cluster:
    servers: int = 3
    schedulers: int = 2
    tmp: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="is-cluster-")))
    database_url: str = ""
    web: list[LiveServer] = field(default_factory=list)
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    smtp: Controller | None = None
    mail: CollectingHandler = field(default_factory=CollectingHandler)
    _pg: EmbeddedPostgres | None = None

    def start_database(self) -> str:
        self._pg = EmbeddedPostgres(self.tmp)
        self.database_url = self._pg.start()
        migrate(self.database_url)
        return self.database_url

    def start_smtp(self) -> str:
        port = free_port()
        self.smtp = Controller(self.mail, hostname="127.0.0.1", port=port)
        self.smtp.start()
        return f"smtp://127.0.0.1:{port}"

    def start_services(self, smtp_url: str, tick_seconds: str = "1") -> None:
        env = {"SMTP_URL": smtp_url, "DB_POOL_MAX": "12", "SCHEDULER_TICK_SECONDS": tick_seconds}
        for _ in range(self.servers):
            self.web.append(LiveServer(self.database_url, **env).start())
        for _ in range(self.schedulers):
            self.workers.append(
                subprocess.Popen(  # noqa: S603
                    [sys.executable, "-m", "service", "worker"],
                    cwd=ROOT,
                    env=dict(self.web[0].env, **env),
                )
            )

    def restart_database(self, down_seconds: float = 2.0) -> None:
        """Stop PostgreSQL (fast shutdown: open connections are cut), wait, start it again on
        the same socket directory, as an operator's restart or a failover would."""
        import time
        from urllib.parse import parse_qs, urlsplit

        from pgserver import _commands

        assert self._pg is not None
        pgdata = self._pg.data_dir
        socket_dir = parse_qs(urlsplit(self.database_url).query)["host"][0]
        user = "pgserver" if os.geteuid() == 0 else None
        _commands.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user, timeout=30)
        time.sleep(down_seconds)
        _commands.pg_ctl(
            ["-w", "-o", '-h ""', "-o", f"-k {socket_dir}", "-l", str(pgdata / "log"), "start"],
            pgdata=pgdata,
            user=user,
            timeout=30,
        )

    def stop(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                worker.terminate()
        for worker in self.workers:
            try:
                worker.wait(10)
            except subprocess.TimeoutExpired:
                worker.kill()
        for server in self.web:
            server.stop()
        if self.smtp is not None:
            self.smtp.stop()
        if self._pg is not None:
            self._pg.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)


async def wait_for(predicate: Any, timeout: float, interval: float = 0.2) -> bool:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        if await predicate():
            return True
        await asyncio.sleep(interval)
    return False
