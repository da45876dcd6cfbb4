"""Importing the registry's instrument file: 10,000 instruments of 40 new institutions, through
the HTTP app (CSV body): dry run, first apply, and the second apply of the same file (which
changes nothing). Goal: the first apply of 10,000 instruments in under 30 s.

    DATABASE_URL=postgresql://user@host/postgres python -m bench.onboarding
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._db import scratch_database  # noqa: E402
from bench._report import result  # noqa: E402
from service.app import create_app  # noqa: E402
from service.db import Database  # noqa: E402
from service.settings import Settings  # noqa: E402
from tests.factories import make_institution, make_user  # noqa: E402
from tests.onboarding_support import csv_bytes, registry_row  # noqa: E402

INSTRUMENTS = 10_000
INSTITUTIONS = 40
CITIES = ["长春市", "吉林市", "四平市", "延边朝鲜族自治州"]


def registry_file() -> bytes:
    rows = []
    for n in range(INSTRUMENTS):
        k = n % INSTITUTIONS
        rows.append(
            registry_row(
                f"bench-{k:02d}", f"ZC{n:06d}", insName=f"基准单位{k}", city=CITIES[k % 4],
                cname=f"基准仪器{n}", technical="主要技术指标 " * 20, function="主要功能 " * 10,
                email=f"contact{k}@bench.example.org" if n % 250 == 0 else "",
            )
        )  # fmt: skip
    return csv_bytes(rows)


async def _post(client: httpx.AsyncClient, headers: dict[str, str], body: bytes, dry: bool) -> tuple[float, dict[str, object]]:  # fmt: skip
    started = time.perf_counter()
    response = await client.post(
        "/api/v1/imports/instruments", content=body, params={"dry_run": str(dry).lower()},
        headers={**headers, "Content-Type": "text/csv"}, timeout=600,
    )  # fmt: skip
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.text[:2000]
    return elapsed, response.json()


async def main() -> None:
    logging.disable(logging.WARNING)
    body = registry_file()
    print(f"file: {INSTRUMENTS} instruments, {len(body) / 1e6:.1f} MB CSV")
    async with scratch_database("onboarding") as url:
        db = Database(url, 2, 8)
        await db.connect()
        try:
            admin = await make_user(db, await make_institution(db), platform_admin=True)
            settings = Settings(database_url=url, secret_key="bench", environment="test")
            app = create_app(settings, db=db)
            transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                dry, report = await _post(client, admin.headers, body, True)
                print(f"dry run: {dry:.1f} s, errors {len(report['errors'])}")  # type: ignore[arg-type]
                first, report = await _post(client, admin.headers, body, False)
                print(
                    f"apply:   {first:.1f} s, created {report['instruments_created']}, invited {report['managers_invited']}"
                )
                second, report = await _post(client, admin.headers, body, False)
                print(f"again:   {second:.1f} s, unchanged {report['instruments_unchanged']}")
        finally:
            await db.close()
    result("registry import 10,000 instruments: dry run", dry, "s")
    result("registry import 10,000 instruments: apply", first, "s", "< 30 s")
    result("registry import 10,000 instruments: same file again", second, "s")


if __name__ == "__main__":
    asyncio.run(main())
