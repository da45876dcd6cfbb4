"""A throw-away database per test session, built by running the real migrations.

`DATABASE_URL` names a server (e.g. the machine's PostgreSQL 15); without it the embedded
PostgreSQL is used. Either way the tests create their own database and drop it at the end.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from service.embedded_db import EmbeddedPostgres

ROOT = Path(__file__).resolve().parent.parent


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


class TestDatabase:
    def __init__(self) -> None:
        self.embedded: EmbeddedPostgres | None = None
        self.server_url = ""
        self.name = "is_test_" + uuid.uuid4().hex[:12]
        self.url = ""

    async def create(self) -> str:
        configured = os.environ.get("DATABASE_URL")
        if configured:
            self.server_url = configured
        else:
            self.embedded = EmbeddedPostgres(ROOT / ".data" / "test")
            self.server_url = self.embedded.start()
        conn = await asyncpg.connect(self.server_url)
        try:
            await conn.execute(f'CREATE DATABASE "{self.name}"')
        finally:
            await conn.close()
        self.url = _with_database(self.server_url, self.name)
        return self.url

    async def drop(self) -> None:
        conn = await asyncpg.connect(self.server_url)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        finally:
            await conn.close()
        if self.embedded is not None:
            self.embedded.stop()
