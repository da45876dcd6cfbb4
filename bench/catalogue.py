"""Catalogue list throughput: requests per second for `GET /api/v1/instruments` served by
`python -m service serve --workers 2` on the demo data, from keep-alive clients on the same
machine (which share its two cores with the server)."""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._db import scratch_database  # noqa: E402
from bench._http import KeepAliveClient  # noqa: E402
from bench._report import result  # noqa: E402
from service.catalog.seed import seed_demo  # noqa: E402
from service.db import Database  # noqa: E402

CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
PATHS = [
    "/api/v1/instruments?page_size=20",
    "/api/v1/instruments?region=220100&category=01&q=%E8%B4%A8%E8%B0%B1",
    "/api/v1/instruments?share_mode=external&sort=-value&page=2",
    "/api/v1/instruments?q=mass%20spectrometer",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _client(port: int, index: int, deadline: float, latencies: list[float]) -> int:
    client = KeepAliveClient(port)
    done = 0
    try:
        while time.perf_counter() < deadline:
            path = PATHS[(index + done) % len(PATHS)]
            t = time.perf_counter()
            status = await client.get(path)
            latencies.append(time.perf_counter() - t)
            if status != 200:
                raise RuntimeError(f"{path} answered {status}")
            done += 1
    finally:
        client.close()
    return done


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


async def run(url: str) -> None:
    db = Database(url, 1, 2)
    await db.connect()
    await seed_demo(db)
    await db.close()
    port = _free_port()
    env = dict(
        os.environ,
        DATABASE_URL=url,
        ENVIRONMENT="test",
        SCHEDULER_ENABLED="false",
        LOG_LEVEL="WARNING",
        DB_POOL_MAX="16",
        PYTHONPATH=str(ROOT),
    )
    proc = subprocess.Popen(  # noqa: S603, ASYNC220 - started once, before timing
        [
            sys.executable,
            "-m",
            "service",
            "serve",
            "--workers",
            "2",
            "--port",
            str(port),
            "--no-demo",
            "--no-scheduler",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    try:
        await _wait_ready(f"http://127.0.0.1:{port}", proc)
        warm: list[float] = []
        await asyncio.gather(*(_client(port, i, time.perf_counter() + 1, warm) for i in range(8)))
        latencies: list[float] = []
        start = time.perf_counter()
        counts = await asyncio.gather(
            *(_client(port, i, start + SECONDS, latencies) for i in range(CONNECTIONS))
        )
        elapsed = time.perf_counter() - start
    finally:
        proc.terminate()
        proc.wait(15)
    rps = sum(counts) / elapsed
    qs = statistics.quantiles(latencies, n=100)
    print(f"{CONNECTIONS} keep-alive connections for {SECONDS:.0f} s, 2 uvicorn workers, demo data")
    print(
        f"requests {sum(counts)}  rps {rps:.0f}  p50 {qs[49] * 1000:.1f} ms  p99 {qs[98] * 1000:.1f} ms"
    )
    result("catalogue list rps, 2 workers", rps, "req/s")
    result("catalogue list p99", qs[98] * 1000, "ms")


async def main() -> None:
    async with scratch_database("catalogue") as url:
        await run(url)


if __name__ == "__main__":
    asyncio.run(main())
