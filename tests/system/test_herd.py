"""Scenario 1, the herd: a booking window opens and a few hundred clients click at once, spread
over three server processes, on overlapping slots of three instruments."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta
from typing import Any

import pytest

from service.common.time import utcnow
from tests.system.conftest import Stage
from tests.system.figures import record, timed
from tests.system.invariants import booking_ids, overlapping_pairs
from tests.system.load import Tally, booking_body
from tests.system.world import day_ahead

pytestmark = pytest.mark.system

CLIENTS = 300
ROUNDS = 2
SEED = 20261126
#: Share of requests deliberately off the 30-minute grid: they must be refused with 422.
OFF_GRID = 0.05


def _plan(stage: Stage, rng: random.Random) -> list[list[tuple[dict[str, Any], bool]]]:
    """Per client, per round: a body on a twelve-hour window, and whether it is off the grid."""
    base = day_ahead(utcnow(), 10) + timedelta(hours=8)
    plan = []
    for _ in range(CLIENTS):
        rounds = []
        for _ in range(ROUNDS):
            start = base + timedelta(minutes=30 * rng.randrange(24))
            off = rng.random() < OFF_GRID
            if off:
                start += timedelta(minutes=15)
            end = start + timedelta(minutes=30 * rng.randint(1, 4))
            body = booking_body(rng.choice(stage.world.herd), start, end, "herd")
            rounds.append((body, off))
        plan.append(rounds)
    return plan


async def test_herd_leaves_no_overlap_and_no_server_error(stage: Stage) -> None:
    rng = random.Random(SEED)
    plan = _plan(stage, rng)
    users = stage.world.users
    tally = Tally()
    off_grid: list[bool] = []
    go = asyncio.Event()

    async def client(i: int) -> None:
        await go.wait()
        for r, (body, off) in enumerate(plan[i]):
            tally.add(await fleet.book(i + r, users[i % len(users)], body))
            off_grid.append(off)  # no await in between: stays aligned with tally.answers

    with timed("herd"):
        async with stage.fleet(connections_per_server=CLIENTS) as fleet:
            tasks = [asyncio.create_task(client(i)) for i in range(CLIENTS)]
            await asyncio.sleep(0.1)
            go.set()
            await asyncio.gather(*tasks)

    attempts = CLIENTS * ROUNDS
    counts = tally.counts()
    record("herd", f"{attempts} attempts by {CLIENTS} clients on 3 servers: {tally}")
    server_errors = [a for a in tally.answers if a.status is None or a.status >= 500]
    assert not server_errors, f"herd (seed {SEED}): {tally}; e.g. {server_errors[:3]}"
    accounted = sum(counts[s] for s in ("201", "409", "422", "503"))
    assert accounted == attempts, f"unaccounted answers: {tally} for {attempts} attempts"
    assert counts["201"] > 0 and counts["409"] > 0, f"no contention happened: {tally}"

    pairs = await overlapping_pairs(stage.db, stage.world.herd)
    assert not pairs, f"{len(pairs)} overlapping active bookings, e.g. {pairs[:5]}"
    created = sorted(int(a.body["id"]) for a in tally.answers if a.status == 201)
    stored = await booking_ids(stage.db, stage.world.herd)
    assert stored == created, (
        f"rows {len(stored)} vs 201s {len(created)}: "
        f"missing {sorted(set(created) - set(stored))[:10]}, "
        f"unanswered {sorted(set(stored) - set(created))[:10]}"
    )
    _check_refusals(tally, off_grid)


def _check_refusals(tally: Tally, off_grid: list[bool]) -> None:
    """Every off-grid request got 422 naming the grid; every 409 names what is in the way."""
    wrong: list[tuple[str, Any]] = []
    for answer, off in zip(tally.answers, off_grid, strict=True):
        if off and answer.status != 422:
            wrong.append(("off-grid answered", answer.status))
        elif answer.status == 422:
            rules = {v["rule"] for v in answer.body.get("violations", [])}
            if not off or "granularity" not in rules:
                wrong.append(("422 with", sorted(rules)))
        elif answer.status == 409 and not answer.body.get("conflicts"):
            wrong.append(("409 without conflicts", answer.body.get("detail")))
    assert not wrong, f"{len(wrong)} wrong refusals, e.g. {wrong[:5]}"
