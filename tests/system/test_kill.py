"""Scenario 2: a server process is SIGKILLed mid-load. Each client books one distinct slot with
its own Idempotency-Key and, when its request dies with the server, sends the same key and
body to another server until it gets a final answer. No booking may be lost or doubled."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest

from service.common.time import utcnow
from tests.system.conftest import Stage
from tests.system.figures import record, timed
from tests.system.invariants import booking_ids, duplicate_slots, idempotency_rows
from tests.system.load import Answer, Tally, book_until_final, booking_body
from tests.system.world import day_ahead

pytestmark = pytest.mark.system

CLIENTS = 150
#: Clients start this far apart, so requests are in flight on every server at the kill.
RAMP_SECONDS = 0.01
#: The kill comes once this many answers are in.
KILL_AFTER = 40
VICTIM = 0
DEADLINE_SECONDS = 45.0


def _slot(stage: Stage, base: datetime, i: int) -> dict[str, Any]:
    instruments = stage.world.kill
    start = base + timedelta(hours=i // len(instruments))
    return booking_body(instruments[i % len(instruments)], start, start + timedelta(hours=1), "")


async def test_killed_server_loses_and_doubles_nothing(stage: Stage) -> None:
    base = day_ahead(utcnow(), 20)
    run = uuid.uuid4().hex[:8]
    users = stage.world.users
    keys = [f"kill-{run}-{i}" for i in range(CLIENTS)]
    bodies = [_slot(stage, base, i) for i in range(CLIENTS)]
    tally = Tally()
    finals: dict[int, Answer] = {}
    deadline = time.monotonic() + DEADLINE_SECONDS

    async def client(i: int) -> None:
        await asyncio.sleep(i * RAMP_SECONDS)
        user = users[i % len(users)]
        finals[i] = await book_until_final(fleet, tally, i, user, bodies[i], keys[i], deadline)

    async def killer() -> int:
        await tally.reach(KILL_AFTER)
        return await asyncio.to_thread(stage.cluster.kill_server, VICTIM)

    with timed("kill"):
        async with stage.fleet() as fleet:
            kill = asyncio.create_task(killer())
            await asyncio.gather(*(client(i) for i in range(CLIENTS)))
            exit_code = await kill
    with timed("kill (respawn of the killed server)"):
        await asyncio.to_thread(stage.cluster.respawn_server, VICTIM)

    failed = tally.transport_failures()
    retried = {i for i in range(CLIENTS) if finals[i].server != i}
    record(
        "kill",
        f"{CLIENTS} clients, server {VICTIM} SIGKILLed after {KILL_AFTER} answers: "
        f"{len(tally.answers)} requests ({tally}), {len(retried)} clients retried elsewhere",
    )
    assert exit_code == -9, f"server {VICTIM} exited with {exit_code}, not by SIGKILL"
    assert failed, f"the kill hit no request: {tally}"
    unexpected = [a for a in tally.answers if a.status not in (None, 201, 503)]
    assert not unexpected, f"{tally}; e.g. {[(a.status, a.body) for a in unexpected[:3]]}"
    not_booked = {i: finals[i].label for i in range(CLIENTS) if finals[i].status != 201}
    assert not not_booked, f"clients without a booking: {not_booked}"

    await _check_database(stage, users, keys, bodies, finals, run)
    assert not stage.cluster.dead_processes(), stage.cluster.dead_processes()


async def _check_database(
    stage: Stage,
    users: list[Any],
    keys: list[str],
    bodies: list[dict[str, Any]],
    finals: dict[int, Answer],
    run: str,
) -> None:
    answered = {i: int(finals[i].body["id"]) for i in range(CLIENTS)}
    stored = await booking_ids(stage.db, stage.world.kill)
    assert sorted(stored) == sorted(answered.values()), (
        f"{len(stored)} rows for {CLIENTS} clients: lost {set(answered.values()) - set(stored)}, "
        f"extra {set(stored) - set(answered.values())}"
    )
    dupes = await duplicate_slots(stage.db, stage.world.kill)
    assert not dupes, f"slots booked twice: {dupes[:5]}"
    rows = await stage.db.fetch(
        "SELECT id, instrument_id, user_id, starts_at, ends_at, status FROM booking "
        "WHERE id = ANY($1::bigint[])",
        stored,
    )
    by_id = {r["id"]: r for r in rows}
    stored_keys = await idempotency_rows(stage.db, [u.id for u in users], f"kill-{run}-")
    wrong: list[tuple[Any, ...]] = []
    for i in range(CLIENTS):
        row = by_id[answered[i]]
        user = users[i % len(users)]
        expected = (bodies[i]["instrument_id"], user.id, bodies[i]["start"], "confirmed")
        got = (row["instrument_id"], row["user_id"], row["starts_at"].isoformat(), row["status"])
        if got != expected:
            wrong.append((i, expected, got))
        if stored_keys.get(f"{user.id}:{keys[i]}") != (201, answered[i]):
            wrong.append((i, "key", stored_keys.get(f"{user.id}:{keys[i]}")))
    assert not wrong, f"{len(wrong)} clients whose booking or key is wrong, e.g. {wrong[:5]}"
