"""Catalogue list throughput: requests per second for `GET /api/v1/instruments` served by
`python -m service serve --workers 2` on the demo data, from keep-alive clients on the same
machine (which share its two cores with the server)."""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._db import scratch_database  # noqa: E402
from bench._http import KeepAliveClient  # noqa: E402
from bench._report import result  # noqa: E402
from bench._server import running_server  # noqa: E402
from service.db import Database  # noqa: E402
from service.demo.seed import seed_demo  # noqa: E402

CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
PATHS = [
    "/api/v1/instruments?page_size=20",
    "/api/v1/instruments?region=220100&category=01&q=%E8%B4%A8%E8%B0%B1",
    "/api/v1/instruments?share_mode=external&sort=-value&page=2",
    "/api/v1/instruments?q=mass%20spectrometer",
]


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


async def run(url: str) -> None:
    db = Database(url, 1, 2)
    await db.connect()
    await seed_demo(db)
    await db.close()
    async with running_server(url, pool_size=16, workers=2) as port:
        warm: list[float] = []
        await asyncio.gather(*(_client(port, i, time.perf_counter() + 1, warm) for i in range(8)))
        latencies: list[float] = []
        start = time.perf_counter()
        counts = await asyncio.gather(
            *(_client(port, i, start + SECONDS, latencies) for i in range(CONNECTIONS))
        )
        elapsed = time.perf_counter() - start
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
