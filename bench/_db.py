"""A migrated scratch database for one benchmark run, created on the server named by
`DATABASE_URL` and dropped afterwards."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from service.migrate import migrate

SERVER = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@asynccontextmanager
async def scratch_database(prefix: str) -> AsyncIterator[str]:
    name = f"is_bench_{prefix}_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(SERVER)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    url = urlunsplit(urlsplit(SERVER)._replace(path="/" + name))
    try:
        migrate(url)
        yield url
    finally:
        conn = await asyncpg.connect(SERVER)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()
