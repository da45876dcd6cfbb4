"""The stage every scenario plays on: one cluster for the whole package, its data, and the
reminder bookings whose mails must arrive exactly once while the other scenarios run.

Order of setup matters for the reminder scenario: batch A is booked before any scheduler runs
(its reminders are due at once), batch B after the schedulers' first reminder tick (so only a
later tick can find it).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from service.common.time import utcnow
from service.db import Database
from service.demo.reference import seed_reference
from tests.system.cluster import Cluster
from tests.system.figures import FIGURES, record
from tests.system.load import Fleet, Tally, booking_body
from tests.system.world import World, build_world, next_grid

#: Reminder bookings per batch (spread over the reminder instruments, 30 minutes each).
REMINDER_BATCH = 18
SLOTS_PER_BATCH = 3


@dataclass
class Stage:
    cluster: Cluster
    db: Database
    world: World
    batch_a: list[int]
    batch_b: list[int]
    first_reminder_tick_done: Any

    @property
    def urls(self) -> list[str]:
        return [server.url for server in self.cluster.web]

    def fleet(self, connections_per_server: int = 200) -> Fleet:
        return Fleet(self.urls, connections_per_server)


async def _book_reminder_batch(stage_urls: list[str], world: World, batch: int) -> list[int]:
    """Bookings starting within the reminder users' lead time, on distinct slots."""
    first = next_grid(utcnow(), margin=timedelta(minutes=5))
    bodies = []
    for n in range(REMINDER_BATCH):
        instrument = world.remind[n % len(world.remind)]
        slot = batch * SLOTS_PER_BATCH + n // len(world.remind)
        start = first + timedelta(minutes=30 * slot)
        bodies.append((n, booking_body(instrument, start, start + timedelta(minutes=30), "")))
    tally = Tally()
    async with Fleet(stage_urls) as fleet:
        answers = await asyncio.gather(
            *(
                fleet.book(n, world.remind_users[n % len(world.remind_users)], body)
                for n, body in bodies
            )
        )
    for answer in answers:
        tally.add(answer)
    bad = [a.body for a in answers if a.status != 201]
    assert not bad, f"reminder batch {batch}: {tally}; first refusals: {bad[:3]}"
    return [int(a.body["id"]) for a in answers]


async def _first_reminder_tick(db: Database, within: float = 20) -> Any:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        done = await db.fetchval(
            "SELECT min(finished_at) FROM job_run WHERE job = 'queue_reminders' AND outcome = 'ok'"
        )
        if done is not None:
            return done
        await asyncio.sleep(0.2)
    raise AssertionError(f"no scheduler finished a queue_reminders run within {within} s")


@pytest.fixture(scope="package")
async def stage(request: pytest.FixtureRequest) -> AsyncIterator[Stage]:
    started = time.monotonic()
    cluster = Cluster(servers=3, schedulers=2)
    db: Database | None = None
    try:
        await asyncio.to_thread(cluster.start_database)
        cluster.start_smtp()
        db = Database(cluster.database_url, 1, 8)
        await db.connect()
        await seed_reference(db)
        world = await build_world(db)
        await asyncio.to_thread(cluster.start_servers)
        urls = [s.url for s in cluster.web]
        batch_a = await _book_reminder_batch(urls, world, 0)
        cluster.start_schedulers()
        tick_done = await _first_reminder_tick(db)
        batch_b = await _book_reminder_batch(urls, world, 1)
        record("setup", f"{time.monotonic() - started:.1f} s (database, 3 servers, 2 schedulers)")
        yield Stage(cluster, db, world, batch_a, batch_b, tick_done)
    finally:
        if db is not None:
            await db.close()
        failed = request.session.testsfailed > 0
        await asyncio.to_thread(cluster.stop, failed)
        if failed:
            FIGURES.append(f"cluster logs kept in {cluster.log_dir}")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if FIGURES:
        terminalreporter.section("system harness figures")
        for line in FIGURES:
            terminalreporter.write_line(line)
