"""The service under test, started as a subprocess on a free loopback port."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _wait_ready(url: str, proc: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(300):
            if proc.poll() is not None:
                raise RuntimeError("server exited early")
            try:
                if (await client.get(url + "/health/ready")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError("server did not become ready")


@asynccontextmanager
async def running_server(database_url: str, pool_size: int, workers: int = 1) -> AsyncIterator[int]:
    """`python -m service serve` (no demo, no scheduler) until the block ends; yields the port.
    The pool is sized for the benchmark's clients so waits for connections are not measured."""
    async with serving(database_url, pool_size, workers) as (port, _):
        yield port


@asynccontextmanager
async def serving(
    database_url: str, pool_size: int, workers: int = 1, **settings: str
) -> AsyncIterator[tuple[int, subprocess.Popen[bytes]]]:
    """Like `running_server`, with extra settings (environment variables) for the service,
    and the process too (with one worker, the process that serves)."""
    port = free_port()
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        ENVIRONMENT="test",
        SCHEDULER_ENABLED="false",
        LOG_LEVEL="WARNING",
        DB_POOL_MIN=str(min(pool_size, 8)),
        DB_POOL_MAX=str(pool_size),
        PYTHONPATH=str(ROOT),
        **settings,
    )
    command = [sys.executable, "-m", "service", "serve", "--workers", str(workers)]
    command += ["--port", str(port), "--no-demo", "--no-scheduler"]
    proc = subprocess.Popen(  # noqa: S603, ASYNC220 - started once, before any timing
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL
    )
    try:
        await _wait_ready(f"http://127.0.0.1:{port}", proc)
        yield port, proc
    finally:
        proc.terminate()
        proc.wait(15)
