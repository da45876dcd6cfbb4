"""Outbox delivery throughput: messages per second to a local SMTP server (aiosmtpd, in its own
process) with 1 and with 3 delivery workers (each its own process and pool).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python -m bench.outbox [ROWS]

A throw-away database is created, migrated and dropped. Each round queues ROWS reminders
(default 2,000) and times until every one is sent.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import socket
import sys
import time
import uuid
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from bench._report import result  # noqa: E402
from service.common.time import utcnow
from service.db import Database
from service.demo.reference import seed_reference
from service.migrate import migrate
from service.notifications.delivery import deliver_outbox
from service.notifications.reminders import queue_reminders
from service.settings import Settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _worker(database_url: str, smtp_url: str, now: datetime, ready: Any, go: Any) -> None:
    async def run() -> None:
        db = Database(database_url, 1, 2)
        await db.connect()
        settings = Settings(database_url=database_url, smtp_url=smtp_url, environment="test")
        ready.release()
        go.wait()  # process start-up is not part of the measurement
        try:
            while (await deliver_outbox(db, settings, now)).counts:
                pass
        finally:
            await db.close()

    asyncio.run(run())


async def _prepare(db: Database, rows: int, first: datetime) -> None:
    """One institution, instrument and booker; `rows` bookings, each due for a reminder."""
    inst = await db.fetchval(
        """INSERT INTO institution (code, name_zh, name_en, kind, region_code)
           VALUES ($1, '基准大学', 'Bench University', 'university', '220100') RETURNING id""",
        f"bench-{uuid.uuid4().hex[:8]}",
    )
    user = await db.fetchval(
        """INSERT INTO app_user (email, display_name, institution_id, password_hash,
                                 reminder_lead_minutes)
           VALUES ($1, '基准用户', $2, 'x', '{100000}') RETURNING id""",
        f"bench-{uuid.uuid4().hex[:8]}@example.org",
        inst,
    )
    instrument = await db.fetchval(
        """INSERT INTO instrument (institution_id, name_zh, name_en, category_code, original_value)
           VALUES ($1, '液相色谱-质谱联用仪', 'LC-MS', '0102', 350) RETURNING id""",
        inst,
    )
    await db.execute(
        """INSERT INTO booking (instrument_id, user_id, starts_at, ends_at, occupied_until, status,
                                booker_institution_id, booker_region_code)
           SELECT $1, $2, t.s, t.s + interval '20 minutes', t.s + interval '20 minutes',
                  'confirmed', $3, '220100'
           FROM (SELECT $4::timestamptz + g * interval '30 minutes' AS s
                 FROM generate_series(0, $5::int - 1) AS g) AS t""",
        instrument,
        user,
        inst,
        first,
        rows,
    )


async def _round(url: str, smtp_url: str, workers: int, rows: int, offset_days: int) -> float:
    db = Database(url, 1, 2)
    await db.connect()
    settings = Settings(database_url=url, smtp_url=smtp_url, environment="test")
    now = utcnow() + timedelta(days=offset_days)
    try:
        await _prepare(db, rows, now + timedelta(hours=1))
        queued = (await queue_reminders(db, settings, now)).counts["queued"]
        assert queued == rows, queued
    finally:
        await db.close()
    ctx = multiprocessing.get_context("spawn")
    ready, go = ctx.Semaphore(0), ctx.Event()
    procs = [
        ctx.Process(target=_worker, args=(url, smtp_url, now, ready, go)) for _ in range(workers)
    ]
    for p in procs:
        p.start()
    for _ in procs:
        await asyncio.to_thread(ready.acquire)
    started = time.perf_counter()
    go.set()
    for p in procs:
        await asyncio.to_thread(p.join)
    elapsed = time.perf_counter() - started
    conn = await asyncpg.connect(url)
    try:
        pending = await conn.fetchval(
            "SELECT count(*) FROM notification_outbox WHERE state <> 'sent'"
        )
    finally:
        await conn.close()
    assert pending == 0, f"{pending} messages not sent"
    return rows / elapsed


async def main(rows: int) -> None:
    server_url = os.environ.get("DATABASE_URL")
    if not server_url:
        raise SystemExit("set DATABASE_URL to a PostgreSQL server (a database is created there)")
    name = "is_bench_" + uuid.uuid4().hex[:10]
    admin = await asyncpg.connect(server_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = urlunsplit(urlsplit(server_url)._replace(path="/" + name))
    port = _free_port()
    smtp = await asyncio.create_subprocess_exec(
        *[
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{port}",
            "-c",
            "aiosmtpd.handlers.Sink",
        ]
    )
    try:
        migrate(url)
        db = Database(url, 1, 2)
        await db.connect()
        await seed_reference(db)
        await db.close()
        await asyncio.sleep(0.5)  # let the SMTP server bind
        print(f"outbox delivery, {rows} reminders per round, SMTP: aiosmtpd on 127.0.0.1")
        for index, workers in enumerate((1, 3)):
            rate = await _round(url, f"smtp://127.0.0.1:{port}", workers, rows, 400 + index * 200)
            print(f"  {workers} worker{'s' if workers > 1 else ' '}: {rate:8.0f} messages/s")
            result(f"outbox delivery, {workers} worker{'s' if workers > 1 else ''}", rate, "msg/s")
    finally:
        smtp.terminate()
        await smtp.wait()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000))
