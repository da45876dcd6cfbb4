"""Extra throw-away databases on the test server (fresh installs, restores, upgrades)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

ROOT = Path(__file__).resolve().parent.parent


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


@asynccontextmanager
async def scratch_database(session_url: str, prefix: str = "is_scratch") -> AsyncIterator[str]:
    """A new, empty database on the server of the session's test database."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(session_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield with_database(session_url, name)
    finally:
        admin = await asyncpg.connect(session_url)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


def run_cli(
    url: str, *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m service ARGS` against `url`, as an operator runs it."""
    full_env = {**os.environ, "DATABASE_URL": url, **(env or {})}
    full_env.pop("ADMIN_EMAIL", None) if "ADMIN_EMAIL" not in (env or {}) else None
    return subprocess.run(
        [sys.executable, "-m", "service", *args],
        cwd=ROOT,
        env=full_env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
