"""Runs the registry's SQL on a connection and maps rows; opens no transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg

from service.registry import sql


async def catalogue_rows(
    conn: asyncpg.Connection, institutions: list[int] | None
) -> AsyncIterator[asyncpg.Record]:
    """Instrument rows in export order, from a cursor (needs a transaction on `conn`)."""
    async for row in conn.cursor(sql.CATALOGUE, institutions, prefetch=500):
        yield row


async def service_record_rows(
    conn: asyncpg.Connection, where: str, args: list[Any]
) -> AsyncIterator[asyncpg.Record]:
    async for row in conn.cursor(sql.SERVICE_RECORDS.format(where=where), *args, prefetch=500):
        yield row
