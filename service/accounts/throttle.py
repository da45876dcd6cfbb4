"""Throttling of password checks, shared by every worker through the database.

Failures are counted per (account, client address) and per client address: a guesser on one
address is slowed down ever more (`rules.delay_seconds`), a sprayer trying one password on
many accounts is slowed down by the address count, and a stranger elsewhere cannot lock the
real user out, because the user's own address has its own count.

Each attempt first *reserves* a failure row under an advisory lock on the address, then the
password is verified outside the lock (argon2 takes ~0.2 s); a success deletes the pair's rows
again. So however many attempts race, at most the free number of them reach the password check
before the delays begin.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg

from service.accounts import rules, sql
from service.db import Database
from service.errors import TooManyRequests
from service.settings import Settings

#: Advisory-lock namespace for password checks (second key: hashtext of the client address).
LOCK_LOGIN = 0x4C4F47


def _window(settings: Settings) -> timedelta:
    return timedelta(minutes=settings.login_window_minutes)


async def _wait(conn: asyncpg.Connection, settings: Settings, email: str, address: str) -> int:
    now: datetime = await conn.fetchval(sql.CLOCK)
    window = _window(settings)
    pair = [
        r["failed_at"] for r in await conn.fetch(sql.FAILURES_OF_PAIR, email, address, now - window)
    ]
    # The address count needs only the newest rows: beyond 30 doublings the pause is capped.
    limit = settings.login_address_max_failures + 31
    spray = [
        r["failed_at"]
        for r in await conn.fetch(sql.FAILURES_OF_ADDRESS, address, now - window, limit)
    ]
    return max(
        rules.delay_seconds(pair, now, settings.login_max_failures, window),
        rules.delay_seconds(spray, now, settings.login_address_max_failures, window),
    )


async def reserve(db: Database, settings: Settings, email: str, address: str) -> None:
    """Count this attempt as a failure up front, or refuse it with 429 while it must wait."""
    async with db.transaction() as conn:
        # clock_timestamp (in `_wait`), not now(): now() is frozen at the start of a
        # transaction that may have waited for the lock behind attempts recorded after it.
        await conn.execute(sql.LOCK_LOGIN_ADDRESS, LOCK_LOGIN, address)
        wait = await _wait(conn, settings, email, address)
        if wait:
            raise TooManyRequests(
                f"Too many failed attempts from your address; try again in {wait} seconds.",
                headers={"Retry-After": str(wait)},
            )
        await conn.execute(
            sql.INSERT_FAILURE,
            email,
            address,
        )


async def clear(conn: asyncpg.Connection, email: str, address: str) -> None:
    """A correct password forgives the pair's failures (not the address's: a sprayer with an
    account of their own must not reset the count by logging in to it)."""
    await conn.execute(
        sql.CLEAR_FAILURES_OF_PAIR,
        email,
        address,
    )


async def prune(db: Database, settings: Settings) -> int:
    """Drop failures that no longer count, for a periodic maintenance job; returns how many."""
    status = await db.execute(sql.PRUNE_FAILURES, _window(settings))
    return int(status.split()[-1])
