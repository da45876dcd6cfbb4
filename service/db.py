"""Connection pool, transactions and the translation of database failures.

Queries are plain SQL over asyncpg: the invariants of the product (exclusion constraints,
advisory locks, `FOR UPDATE SKIP LOCKED`) are SQL features, so the code says them in SQL.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import asyncpg

T = TypeVar("T")

#: How long closing the pool waits for busy connections before cutting them.
CLOSE_TIMEOUT_SECONDS = 10.0
#: SQLSTATEs that mean "try the whole transaction again".
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})


async def _init_connection(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    await conn.set_type_codec("json", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def _reset_connection(conn: asyncpg.Connection) -> None:
    """Nothing to reset: the code keeps no session state (locks are transaction-scoped, settings
    come from `server_settings` or are transaction-local: `SET LOCAL`, `set_config(…, true)`);
    asyncpg still rolls back an open transaction before this. Skipping the default
    `RESET ALL …` saves one round trip per pool checkout; `tests/integration/
    test_session_settings.py` keeps session-level settings out of the code base."""


class Database:
    """Owns the asyncpg pool; one per process."""

    def __init__(self, url: str, min_size: int = 2, max_size: int = 10) -> None:
        self.url = url
        self.min_size = min_size
        self.max_size = max_size
        self._pool: asyncpg.Pool | None = None

    async def connect(self) -> None:
        self._pool = await asyncpg.create_pool(
            self.url,
            min_size=self.min_size,
            max_size=self.max_size,
            init=_init_connection,
            reset=_reset_connection,
            command_timeout=30,
            server_settings={
                "timezone": "UTC",
                "application_name": "instrument-share",
            },
        )

    async def close(self) -> None:
        """Close every connection politely; connections still busy after
        `CLOSE_TIMEOUT_SECONDS` are cut, so a shutdown cannot hang here."""
        if self._pool is not None:
            pool, self._pool = self._pool, None
            try:
                async with asyncio.timeout(CLOSE_TIMEOUT_SECONDS):
                    await pool.close()
            except TimeoutError:
                pool.terminate()

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("database pool is not started")
        return self._pool

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[asyncpg.Connection]:
        async with self.pool.acquire() as conn:
            yield conn

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[asyncpg.Connection]:
        async with self.pool.acquire() as conn, conn.transaction():
            yield conn

    async def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        async with self.pool.acquire() as conn:
            return list(await conn.fetch(sql, *args))

    async def fetchrow(self, sql: str, *args: Any) -> asyncpg.Record | None:
        async with self.pool.acquire() as conn:
            return await conn.fetchrow(sql, *args)

    async def fetchval(self, sql: str, *args: Any) -> Any:
        async with self.pool.acquire() as conn:
            return await conn.fetchval(sql, *args)

    async def execute(self, sql: str, *args: Any) -> str:
        async with self.pool.acquire() as conn:
            return str(await conn.execute(sql, *args))

    async def in_transaction(
        self, work: Callable[[asyncpg.Connection], Awaitable[T]], attempts: int = 5
    ) -> T:
        """Run `work` in a transaction, retrying deadlocks and serialization failures.

        After the last attempt the error propagates; the error mapper turns it into 503 with
        `Retry-After`, never a 500.
        """
        for attempt in range(1, attempts + 1):
            try:
                async with self.transaction() as conn:
                    return await work(conn)
            except asyncpg.PostgresError as exc:
                if exc.sqlstate not in RETRYABLE_SQLSTATES or attempt == attempts:
                    raise
                await asyncio.sleep(random.uniform(0.005, 0.03) * attempt)  # noqa: S311
        raise AssertionError("unreachable")


async def advisory_xact_lock(conn: asyncpg.Connection, namespace: int, key: int) -> None:
    """Serialise writers of one object (e.g. one instrument) for the rest of the transaction."""
    await conn.execute("SELECT pg_advisory_xact_lock($1, $2)", namespace, key)


#: Advisory-lock namespaces (first key of the two-int form).
LOCK_INSTRUMENT = 1
LOCK_JOB = 2
