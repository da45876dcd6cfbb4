"""Writing one booking: checks under the instrument lock, the insert, its history and notices.

Shared by single bookings, series occurrences and reschedules, so every path applies the same
rules and the same constraint.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from service.availability import service as availability
from service.bookings import rules, store
from service.bookings.policy import Policy
from service.bookings.rules import BookerFacts, InstrumentFacts, Load, Request
from service.common.i18n import pick
from service.common.schemas import Violation
from service.errors import Unprocessable
from service.notifications.outbox import enqueue

#: Instants outside these bounds are refused before any arithmetic can overflow.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
#: Opening hours are only computed for spans a policy could ever accept.
MAX_SPAN = timedelta(days=8)


def check_bounds(start: datetime, end: datetime, lang: str) -> None:
    if not (EARLIEST <= start <= LATEST and EARLIEST <= end <= LATEST):
        raise Unprocessable(
            pick(lang, "时间超出可接受的范围。", "The times are out of the accepted range."),
            extra={"violations": [{"rule": "out_of_range", "message": "2000-01-01 .. 2200-01-01"}]},
        )
    if end <= start:
        msg = pick(lang, "结束时间必须晚于开始时间。", "The end must be after the start.")
        raise Unprocessable(
            msg, extra={"violations": [{"rule": "end_before_start", "message": msg}]}
        )


async def static_check(
    conn: asyncpg.Connection,
    policy: Policy,
    inst: InstrumentFacts,
    booker: BookerFacts,
    req: Request,
    now: datetime,
    ctx: store.Context | None = None,
) -> list[Violation]:
    """Rules that need no lock. With `ctx` the opening hours come from it (same pure function
    as availability's), saving round trips on the hot path."""
    opening: list[tuple[datetime, datetime]] = []
    if req.end - req.start <= MAX_SPAN:
        if ctx is not None:
            opening = ctx.open_intervals(req.start, req.end)
        else:
            opening = await availability.open_intervals_for(conn, inst.id, req.start, req.end)
    return rules.static_violations(policy, inst, booker, req, opening, now)


def has_limits(policy: Policy) -> bool:
    return (
        policy.max_hours_per_day is not None
        or policy.max_hours_per_week is not None
        or policy.max_future_bookings is not None
    )


async def limit_check(
    conn: asyncpg.Connection,
    policy: Policy,
    inst: InstrumentFacts,
    booker: BookerFacts,
    req: Request,
    now: datetime,
    exclude: list[int] | None = None,
) -> list[Violation]:
    """Per-user limits; call under the instrument lock so two requests cannot both fit."""
    if booker.is_manager or not has_limits(policy):
        return []
    load = await store.user_load(conn, inst.id, booker.user_id, (req.start, req.end), now, exclude)
    return rules.limit_violations(policy, inst.zone, req, load, booker.language)


def limit_check_with(
    policy: Policy, inst: InstrumentFacts, booker: BookerFacts, req: Request, load: Load
) -> list[Violation]:
    if booker.is_manager:
        return []
    return rules.limit_violations(policy, inst.zone, req, load, booker.language)


def refuse(violations: list[Violation], lang: str) -> Unprocessable:
    return Unprocessable(
        pick(
            lang, "预约不符合仪器的预约规则。", "The booking breaks the instrument's booking rules."
        ),
        extra={"violations": [{"rule": v.rule, "message": v.message} for v in violations]},
    )


def terms(
    policy: Policy, inst: InstrumentFacts, booker: BookerFacts, req: Request, now: datetime
) -> dict[str, Any]:
    """Status, fee and snapshot columns of a booking made by `booker` for `req`."""
    klass = rules.fee_class(inst, booker)
    rate = rules.fee_per_hour(policy, klass)
    pending = rules.needs_approval(policy, inst, booker)
    return {
        "status": "pending" if pending else "confirmed",
        "occupied_until": req.end + timedelta(minutes=policy.buffer_minutes),
        "is_external": booker.institution_id != inst.institution_id,
        "is_cross_region": booker.region_code != inst.region_code,
        "fee_class": klass,
        "fee_per_hour": rate,
        "estimated_cost": rules.estimated_cost(rate, req.start, req.end),
        "approval_deadline": rules.approval_deadline(policy, req.start, now) if pending else None,
    }


async def insert(
    conn: asyncpg.Connection,
    inst: InstrumentFacts,
    booker: BookerFacts,
    req: Request,
    columns: dict[str, Any],
    purpose: str,
    series_id: int | None = None,
) -> asyncpg.Record:
    """The booking and its "created" history row, in one statement (one round trip)."""
    row = await conn.fetchrow(
        f"""WITH b AS (
                INSERT INTO booking (instrument_id, user_id, series_id, starts_at, ends_at,
                    occupied_until, status, purpose, service_way, booker_institution_id,
                    booker_region_code, is_external, is_cross_region, fee_class, fee_per_hour,
                    estimated_cost, approval_deadline)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
                RETURNING *
            ), e AS (
                INSERT INTO booking_event (booking_id, actor_user_id, action, to_status)
                SELECT id, user_id, 'created', status FROM b
            )
            SELECT {store.COLUMNS} FROM b""",
        inst.id,
        booker.user_id,
        series_id,
        req.start,
        req.end,
        columns["occupied_until"],
        columns["status"],
        purpose,
        req.service_way,
        booker.institution_id,
        booker.region_code,
        columns["is_external"],
        columns["is_cross_region"],
        columns["fee_class"],
        columns["fee_per_hour"],
        columns["estimated_cost"],
        columns["approval_deadline"],
    )
    assert row is not None
    return row


async def announce(conn: asyncpg.Connection, row: Any) -> None:
    """The booker hears of the outcome; managers hear of requests to decide."""
    status = row["status"]
    version = row["version"]
    payload = store.notice_payload(row)
    if status == "pending":
        await enqueue(
            conn,
            kind="booking_requested",
            user_id=row["user_id"],
            booking_id=row["id"],
            dedupe_key=f"booking_requested:{row['id']}:v{version}",
            payload=payload,
        )
        for manager in await store.manager_ids(conn, row["instrument_id"]):
            await enqueue(
                conn,
                kind="approval_needed",
                user_id=manager,
                booking_id=row["id"],
                dedupe_key=f"approval_needed:{row['id']}:v{version}:u{manager}",
                payload=payload,
            )
    else:
        await enqueue(
            conn,
            kind="booking_confirmed",
            user_id=row["user_id"],
            booking_id=row["id"],
            dedupe_key=f"booking_confirmed:{row['id']}:v{version}",
            payload=payload,
        )
