"""Invariant queries run on the database after each scenario. Each returns the offending rows
(empty when the invariant holds), so an assertion can print exactly what broke."""

from __future__ import annotations

from typing import Any

from service.db import Database

ACTIVE = ["held", "pending", "confirmed", "in_use"]


def rows(records: list[Any]) -> list[dict[str, Any]]:
    return [dict(r) for r in records]


async def overlapping_pairs(db: Database, instruments: list[int]) -> list[dict[str, Any]]:
    """Pairs of active bookings or blocks on one instrument whose occupied times intersect."""
    return rows(
        await db.fetch(
            """SELECT a.instrument_id, a.id AS a_id, b.id AS b_id,
                      a.starts_at AS a_start, a.occupied_until AS a_until,
                      b.starts_at AS b_start, b.occupied_until AS b_until
               FROM booking a
               JOIN booking b ON b.instrument_id = a.instrument_id AND a.id < b.id
                AND tstzrange(a.starts_at, a.occupied_until, '[)')
                    && tstzrange(b.starts_at, b.occupied_until, '[)')
               WHERE a.instrument_id = ANY($1::bigint[])
                 AND a.status = ANY($2::text[]) AND b.status = ANY($2::text[])
               ORDER BY a.instrument_id, a.id, b.id""",
            instruments,
            ACTIVE,
        )
    )


async def booking_ids(db: Database, instruments: list[int]) -> list[int]:
    return [
        r["id"]
        for r in await db.fetch(
            "SELECT id FROM booking WHERE instrument_id = ANY($1::bigint[]) ORDER BY id",
            instruments,
        )
    ]


async def duplicate_slots(db: Database, instruments: list[int]) -> list[dict[str, Any]]:
    """The same instrument and start booked more than once, in any status."""
    return rows(
        await db.fetch(
            """SELECT instrument_id, starts_at, array_agg(id ORDER BY id) AS ids
               FROM booking WHERE instrument_id = ANY($1::bigint[])
               GROUP BY instrument_id, starts_at HAVING count(*) > 1""",
            instruments,
        )
    )


async def half_written(db: Database, instruments: list[int]) -> list[dict[str, Any]]:
    """Bookings missing the rows written in the same transaction: the `created` history event
    and the outcome notice in the outbox."""
    return rows(
        await db.fetch(
            """SELECT b.id, b.status,
                      EXISTS (SELECT 1 FROM booking_event e
                              WHERE e.booking_id = b.id AND e.action = 'created') AS has_event,
                      EXISTS (SELECT 1 FROM notification_outbox o
                              WHERE o.booking_id = b.id
                                AND o.kind IN ('booking_confirmed', 'booking_requested'))
                          AS has_notice
               FROM booking b
               WHERE b.instrument_id = ANY($1::bigint[]) AND b.kind = 'booking'
               ORDER BY b.id""",
            instruments,
        )
    )


async def inconsistent_outbox(db: Database) -> list[dict[str, Any]]:
    """Outbox rows whose state contradicts their columns: sent without a Message-ID or time,
    pending, skipped or expired with a send time, skipped without a reason."""
    return rows(
        await db.fetch(
            """SELECT id, kind, state, message_id, sent_at, skip_reason FROM notification_outbox
               WHERE (state = 'sent' AND (message_id IS NULL OR sent_at IS NULL))
                  OR (state IN ('pending', 'skipped', 'expired') AND sent_at IS NOT NULL)
                  OR (state = 'skipped' AND skip_reason = '')
               ORDER BY id"""
        )
    )


async def idempotency_rows(db: Database, user_ids: list[int], prefix: str) -> dict[str, Any]:
    """(user, key) → stored status and booking id, for the keys a scenario used."""
    found = await db.fetch(
        """SELECT user_id, key, response_status, response_body ->> 'id' AS booking_id
           FROM idempotency_key WHERE user_id = ANY($1::bigint[]) AND key LIKE $2 || '%'""",
        user_ids,
        prefix,
    )
    return {
        f"{r['user_id']}:{r['key']}": (
            r["response_status"],
            int(r["booking_id"]) if r["booking_id"] else None,
        )
        for r in found
    }


async def outbox_for(db: Database, booking_ids: list[int]) -> list[dict[str, Any]]:
    return rows(
        await db.fetch(
            """SELECT id, booking_id, kind, state, message_id, claimed_by, skip_reason, attempts,
                      expired_reason
               FROM notification_outbox WHERE booking_id = ANY($1::bigint[]) ORDER BY id""",
            booking_ids,
        )
    )
