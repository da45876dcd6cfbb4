"""Memory under a login burst: 100 concurrent logins (distinct accounts, right password)
against `python -m service serve`, and the server process's peak resident memory (the kernel's
high-water mark, VmHWM) while they run. Each argon2id check holds 64 MiB, so the peak follows
how many run at once: measured with the default bound (`PASSWORD_HASH_CONCURRENCY=2`) and with
the bound lifted to the thread pool's size, as it was before hashing was bounded."""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._db import scratch_database  # noqa: E402
from bench._report import result  # noqa: E402
from bench._server import serving  # noqa: E402
from service.accounts.passwords import hash_password  # noqa: E402
from service.db import Database  # noqa: E402
from service.demo.reference import seed_reference  # noqa: E402

LOGINS = int(os.environ.get("BENCH_LOGINS", "100"))
PASSWORD = "burst-password"
#: The default executor's size, min(32, cores + 4): the old effective bound.
UNBOUNDED = min(32, (os.cpu_count() or 1) + 4)


def _memory_kib(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(rest.split()[0])
    return fields


async def _users(url: str) -> list[str]:
    db = Database(url, 1, 2)
    await db.connect()
    await seed_reference(db)
    institution = await db.fetchval(
        """INSERT INTO institution (code, name_zh, name_en, kind, region_code)
           VALUES ('burst', '并发登录', 'Burst', 'university', '220100')
           ON CONFLICT (code) DO UPDATE SET code = EXCLUDED.code RETURNING id"""
    )
    digest = hash_password(PASSWORD)
    emails = [f"burst-{n}@example.org" for n in range(LOGINS)]
    await db.pool.executemany(
        """INSERT INTO app_user (email, display_name, institution_id, password_hash)
           VALUES ($1, $1, $2, $3) ON CONFLICT DO NOTHING""",
        [(email, institution, digest) for email in emails],
    )
    await db.close()
    return emails


async def _burst(url: str, emails: list[str], slots: int) -> None:
    async with serving(url, pool_size=16, PASSWORD_HASH_CONCURRENCY=str(slots)) as (port, proc):
        base = f"http://127.0.0.1:{port}"
        limits = httpx.Limits(max_connections=LOGINS)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=120) as client:

            async def login(email: str) -> float:
                started = time.perf_counter()
                answer = await client.post(
                    "/api/v1/auth/login", json={"email": email, "password": PASSWORD}
                )
                if answer.status_code != 200:
                    raise RuntimeError(f"login answered {answer.status_code}: {answer.text}")
                return time.perf_counter() - started

            await login(emails[0])  # warm: imports, pool, first hash
            before = _memory_kib(proc.pid)
            started = time.perf_counter()
            latencies = await asyncio.gather(*(login(email) for email in emails))
            elapsed = time.perf_counter() - started
            after = _memory_kib(proc.pid)
    peak = after["VmHWM"] / 1024
    base_rss = before["VmRSS"] / 1024
    p50, p99 = statistics.median(latencies), statistics.quantiles(latencies, n=100)[98]
    print(
        f"{slots:>2} hashes at once: RSS before {base_rss:.0f} MiB, peak {peak:.0f} MiB "
        f"(+{peak - base_rss:.0f}); {LOGINS} logins in {elapsed:.1f} s, "
        f"p50 {p50:.2f} s, p99 {p99:.2f} s"
    )
    label = "default bound" if slots == 2 else f"{slots} at once (old thread pool)"
    goal = "predictable" if slots == 2 else ""
    result(f"login burst peak RSS, {label}", peak, "MiB", goal)
    result(f"login burst peak RSS growth, {label}", peak - base_rss, "MiB")


async def main() -> None:
    async with scratch_database("logins") as url:
        emails = await _users(url)
        print(f"{LOGINS} concurrent logins, one server process, {os.cpu_count()} cores")
        for slots in (2, UNBOUNDED):
            await _burst(url, emails, slots)


if __name__ == "__main__":
    asyncio.run(main())
