"""Scenario 4: reminders due during the run reach a real SMTP server exactly once, although two
scheduler processes run the same jobs (and lived through the other scenarios' faults).

Batch A was booked before any scheduler started; batch B after the first reminder tick, so a
later tick had to find it. Each mail's Message-ID names its outbox row: one row per booking
and lead time, one message per row.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

import pytest

from service.notifications.rules import message_id
from tests.system.conftest import Stage
from tests.system.figures import record, timed
from tests.system.invariants import inconsistent_outbox, outbox_for
from tests.system.world import REMINDER_LEAD_MINUTES

pytestmark = pytest.mark.system

#: queue_reminders runs every 30 s and deliver_outbox every 10 s; a tick lost to the database
#: restart costs one more interval.
WAIT_SECONDS = 60.0
KINDS = ("reminder", "booking_confirmed")


def _receipts(stage: Stage) -> Counter[str]:
    return Counter(m.message_id for m in stage.cluster.mail.snapshot())


async def _outbox(stage: Stage, bookings: list[int]) -> list[dict[str, Any]]:
    return [r for r in await outbox_for(stage.db, bookings) if r["kind"] in KINDS]


def _all_arrived(rows: list[dict[str, Any]], bookings: list[int], seen: Counter[str]) -> bool:
    """Every booking has its rows and every row's Message-ID reached the SMTP server. The id
    is derived from the row, so a message whose verdict was lost (a send just before the
    database went down) still counts; its row then waits out its lease in `pending`."""
    per_kind = Counter(r["kind"] for r in rows)
    return all(per_kind[k] >= len(bookings) for k in KINDS) and all(
        seen[message_id(r["id"])] > 0 for r in rows
    )


async def test_each_reminder_arrives_exactly_once(stage: Stage) -> None:
    bookings = stage.batch_a + stage.batch_b
    with timed("reminders (wait)"):
        deadline = time.monotonic() + WAIT_SECONDS
        rows = await _outbox(stage, bookings)
        while not _all_arrived(rows, bookings, _receipts(stage)) and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
            rows = await _outbox(stage, bookings)

    seen = _receipts(stage)
    states = Counter((r["kind"], r["state"]) for r in rows)
    record(
        "reminders",
        f"{len(bookings)} bookings ({len(stage.batch_a)} before the schedulers, "
        f"{len(stage.batch_b)} after their first tick): outbox {dict(states)}; "
        f"{seen.total()} mails received in the whole run, {len(seen)} distinct Message-IDs",
    )
    assert _all_arrived(rows, bookings, seen), (
        f"not all arrived within {WAIT_SECONDS:.0f} s: {dict(states)}, missing "
        f"{[(r['kind'], r['booking_id']) for r in rows if not seen[message_id(r['id'])]][:10]}"
    )
    wrong = []
    for kind in KINDS:
        per_booking = Counter(r["booking_id"] for r in rows if r["kind"] == kind)
        wrong += [(kind, b, per_booking[b]) for b in bookings if per_booking[b] != 1]
    assert not wrong, f"(kind, booking, outbox rows) not exactly one: {wrong[:10]}"
    receipts = Counter(seen[message_id(r["id"])] for r in rows)
    assert receipts == {1: len(rows)}, f"{{receipts: rows}} for these bookings: {dict(receipts)}"
    twice = {m: n for m, n in seen.items() if n > 1}
    assert not twice, f"Message-IDs received more than once in the run: {twice}"
    unsettled = [r for r in rows if r["state"] != "sent" and not r["claimed_by"]]
    assert not unsettled, f"rows neither sent nor leased: {unsettled}"
    leads = {r["dedupe_key"].split(":")[2] for r in await _reminder_keys(stage, bookings)}
    assert leads == {str(REMINDER_LEAD_MINUTES)}, f"reminder lead times queued: {leads}"
    await _check_later_tick(stage)
    outbox = await inconsistent_outbox(stage.db)
    assert not outbox, f"inconsistent outbox rows: {outbox[:5]}"
    assert not stage.cluster.dead_processes(), stage.cluster.dead_processes()
    await _record_schedulers(stage)


async def _reminder_keys(stage: Stage, bookings: list[int]) -> list[Any]:
    return list(
        await stage.db.fetch(
            "SELECT dedupe_key FROM notification_outbox WHERE kind = 'reminder' "
            "AND booking_id = ANY($1::bigint[])",
            bookings,
        )
    )


async def _check_later_tick(stage: Stage) -> None:
    """Batch B's reminders were queued by a tick after the first one, not before it."""
    early = await stage.db.fetchval(
        "SELECT count(*) FROM notification_outbox WHERE kind = 'reminder' "
        "AND booking_id = ANY($1::bigint[]) AND created_at <= $2",
        stage.batch_b,
        stage.first_reminder_tick_done,
    )
    assert early == 0, f"{early} batch-B reminders predate the first reminder tick"


async def _record_schedulers(stage: Stage) -> None:
    runs = await stage.db.fetch(
        """SELECT job, count(*) AS runs, count(DISTINCT pid) AS pids
           FROM job_run WHERE job IN ('queue_reminders', 'deliver_outbox') GROUP BY job"""
    )
    record(
        "reminders",
        "tick claims: "
        + ", ".join(f"{r['job']} {r['runs']} runs by {r['pids']} process(es)" for r in runs),
    )
