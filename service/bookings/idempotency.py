"""Idempotency keys: a retried create gets the first answer back instead of a second booking.

The key row is inserted first, in the transaction that creates the booking. A concurrent
duplicate blocks on the primary key until that transaction ends: if it committed, the duplicate
replays the stored response; if it rolled back (a refusal), the duplicate runs for real. Only
successful answers are stored, so a refused request may be corrected and retried.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import msgspec

from service.bookings import sql
from service.common.time import instant_enc_hook
from service.errors import BadRequest, Conflict, Unprocessable

TTL = timedelta(hours=24)
MAX_KEY_LENGTH = 200


def check_key(key: str | None) -> str | None:
    if key is None:
        return None
    key = key.strip()
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isprintable():
        raise BadRequest(f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} printable characters.")
    return key


def request_digest(body: msgspec.Struct) -> bytes:
    return hashlib.sha256(msgspec.json.encode(body, enc_hook=instant_enc_hook)).digest()


async def claim(
    conn: asyncpg.Connection, user_id: int, key: str, digest: bytes, *, now: datetime
) -> tuple[int, Any] | None:
    """None if this request owns the key now; else the stored (status, body) to replay."""
    fresh = await conn.fetchval(
        sql.CLAIM_KEY,
        user_id,
        key,
        digest,
        now,
        now + TTL,
    )
    if fresh:
        return None
    row = await conn.fetchrow(
        sql.STORED_ANSWER,
        user_id,
        key,
    )
    if row is None or row["response_status"] is None:
        raise Conflict("A request with this Idempotency-Key is still being processed.")
    if bytes(row["request_hash"]) != digest:
        raise Unprocessable("This Idempotency-Key was already used with a different request body.")
    return int(row["response_status"]), row["response_body"]


async def store(
    conn: asyncpg.Connection, user_id: int, key: str, status: int, *, body: Any
) -> None:
    await conn.execute(
        sql.STORE_ANSWER,
        user_id,
        key,
        status,
        msgspec.to_builtins(body, enc_hook=instant_enc_hook),
    )


async def purge_expired(conn: asyncpg.Connection, now: datetime) -> int:
    result = await conn.execute(sql.PURGE_EXPIRED_KEYS, now)
    return int(result.split()[-1])
