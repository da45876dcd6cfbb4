"""Scenario 3: PostgreSQL restarts (fast shutdown, a few seconds down) under load.

Readiness must drop to 503 and come back by itself; requests in the outage fail cleanly (503
problem+json, or the connection is refused) and never with a 500; afterwards nothing is half
written and every booking answered 201 exists.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest

from service.common.time import utcnow
from tests.system.conftest import Stage
from tests.system.figures import record, timed
from tests.system.invariants import (
    booking_ids,
    half_written,
    idempotency_rows,
    inconsistent_outbox,
    overlapping_pairs,
)
from tests.system.load import PROBLEM_JSON, Answer, Fleet, Tally, book_until_final, poll_ready
from tests.system.load import booking_body as body_for
from tests.system.world import day_ahead

pytestmark = pytest.mark.system

WORKERS = 24
MAX_PER_WORKER = 80
LOAD_BEFORE = 1.5
DOWN_SECONDS = 3.0
LOAD_AFTER = 1.5
#: Readiness must be back this soon after PostgreSQL accepts connections again.
RECOVERY_LIMIT = 15.0
#: Transport failures that mean "no answer in time": a hang, not a clean failure.
HUNG = {"ReadTimeout", "WriteTimeout", "PoolTimeout", "ConnectTimeout"}


@dataclass
class Run:
    base: datetime
    tag: str
    tally: Tally = field(default_factory=Tally)
    finals: dict[str, Answer] = field(default_factory=dict)
    stop: asyncio.Event = field(default_factory=asyncio.Event)


async def _worker(stage: Stage, fleet: Fleet, run: Run, w: int) -> None:
    """Books its own slots one after another, each with a fresh key, retried until final."""
    instruments = stage.world.outage
    user = stage.world.users[w % len(stage.world.users)]
    for j in range(MAX_PER_WORKER):
        if run.stop.is_set():
            return
        slot = (w // len(instruments)) * MAX_PER_WORKER + j
        start = run.base + timedelta(minutes=30 * slot)
        body = body_for(instruments[w % len(instruments)], start, start + timedelta(minutes=30), "")
        key = f"{run.tag}-{w}-{j}"
        deadline = time.monotonic() + 30
        run.finals[f"{user.id}:{key}"] = await book_until_final(
            fleet, run.tally, w + j, user, body, key, deadline, pause=0.2
        )


async def _recovered(seen: list[list[tuple[float, str]]], after: float, limit: float) -> bool:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if all(any(t > after and label == "200" for t, label in s) for s in seen):
            return True
        await asyncio.sleep(0.1)
    return False


async def test_database_restart_fails_cleanly_and_recovers(stage: Stage) -> None:
    run = Run(base=day_ahead(utcnow(), 40), tag=f"outage-{uuid.uuid4().hex[:8]}")
    polls_stop = asyncio.Event()
    seen: list[list[tuple[float, str]]] = [[] for _ in stage.urls]

    with timed("outage"):
        async with stage.fleet() as fleet:
            pollers = [
                asyncio.create_task(poll_ready(fleet, i, seen[i], polls_stop))
                for i in range(len(seen))
            ]
            workers = [asyncio.create_task(_worker(stage, fleet, run, w)) for w in range(WORKERS)]
            await asyncio.sleep(LOAD_BEFORE)
            down_at = time.monotonic()
            await asyncio.to_thread(stage.cluster.stop_database)
            await asyncio.sleep(DOWN_SECONDS)
            await asyncio.to_thread(stage.cluster.start_database_again)
            up_at = time.monotonic()
            recovered = await _recovered(seen, up_at, RECOVERY_LIMIT)
            back_after = max(_first_ok_after(s, up_at) for s in seen) - up_at if recovered else -1
            await asyncio.sleep(LOAD_AFTER)
            run.stop.set()
            await asyncio.gather(*workers)
            polls_stop.set()
            await asyncio.gather(*pollers)

    record(
        "outage",
        f"PostgreSQL down {DOWN_SECONDS:.0f} s under {WORKERS} booking loops: {len(run.finals)} "
        f"bookings, {len(run.tally.answers)} requests ({run.tally}); all servers ready "
        f"{back_after:.1f} s after PostgreSQL was back",
    )
    _check_readiness(seen, down_at, up_at, recovered)
    _check_answers(run)
    await _check_database(stage, run)
    assert not stage.cluster.dead_processes(), stage.cluster.dead_processes()


def _first_ok_after(seen: list[tuple[float, str]], after: float) -> float:
    return min(t for t, label in seen if t > after and label == "200")


def _check_readiness(
    seen: list[list[tuple[float, str]]], down_at: float, up_at: float, recovered: bool
) -> None:
    summary = {
        i: sorted({label for t, label in s if down_at <= t <= up_at}) for i, s in enumerate(seen)
    }
    for i, s in enumerate(seen):
        during = [label for t, label in s if down_at + 0.5 <= t <= up_at]
        assert "503" in during, f"server {i} never reported 503 while down: {summary}"
        assert set(during) <= {"200", "503"}, f"server {i} readiness answered {summary[i]}"
    assert recovered, f"readiness not back to 200 within {RECOVERY_LIMIT} s: {summary}"
    assert all(s[-1][1] == "200" for s in seen), f"last readiness: {[s[-1] for s in seen]}"


def _check_answers(run: Run) -> None:
    answers = run.tally.answers
    unclean = [a for a in answers if a.status not in (None, 201, 503) or a.error in HUNG]
    assert not unclean, f"{run.tally}; e.g. {[(a.label, a.body) for a in unclean[:3]]}"
    bad_503 = [
        a.body
        for a in answers
        if a.status == 503 and (PROBLEM_JSON not in a.content_type or a.body.get("status") != 503)
    ]
    assert not bad_503, f"503 answers that are not problem details: {bad_503[:3]}"
    assert any(a.status != 201 for a in answers), f"the outage hit no request: {run.tally}"
    unfinished = {k: a.label for k, a in run.finals.items() if a.status != 201}
    assert not unfinished, f"bookings that never got a final 201: {unfinished}"


async def _check_database(stage: Stage, run: Run) -> None:
    instruments = stage.world.outage
    confirmed = {key: int(a.body["id"]) for key, a in run.finals.items()}
    stored = await booking_ids(stage.db, instruments)
    lost = set(confirmed.values()) - set(stored)
    unanswered = set(stored) - set(confirmed.values())
    assert not lost and not unanswered, f"lost {sorted(lost)}, not answered {sorted(unanswered)}"
    partial = [r for r in await half_written(stage.db, instruments) if not all(r.values())]
    assert not partial, f"half-written bookings: {partial[:5]}"
    keys = await idempotency_rows(stage.db, [u.id for u in stage.world.users], run.tag)
    assert keys == {k: (201, v) for k, v in confirmed.items()}, (
        f"{len(keys)} stored keys for {len(confirmed)} bookings; differing: "
        f"{[(k, keys.get(k), v) for k, v in confirmed.items() if keys.get(k) != (201, v)][:5]}"
    )
    assert not await overlapping_pairs(stage.db, instruments)
    outbox = await inconsistent_outbox(stage.db)
    assert not outbox, f"inconsistent outbox rows: {outbox[:5]}"
