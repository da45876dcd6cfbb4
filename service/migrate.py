"""Applies the migration history (the top-level `migrations/` folder) with Piccolo.

Each migration is hand-written SQL run through `run_sql`: exclusion constraints, partial
indexes and checks are the invariants of the product and Piccolo's schema DSL cannot say them.
"""

from __future__ import annotations

import os
import sys
from typing import Any


async def run_sql(sql: str) -> None:
    """Execute a multi-statement SQL script inside the migration's transaction."""
    from piccolo.engine import engine_finder

    engine = engine_finder()
    assert engine is not None
    transaction = engine.current_transaction.get()
    if transaction is not None:
        await transaction.connection.execute(sql)
        return
    async with engine.transaction() as tx:  # pragma: no cover - Piccolo always wraps migrations
        await tx.connection.execute(sql)


async def run_rows(sql: str, rows: list[Any]) -> None:
    """Execute one parameterised statement per row (reference data) in the migration's transaction."""
    from piccolo.engine import engine_finder

    engine = engine_finder()
    assert engine is not None
    transaction = engine.current_transaction.get()
    assert transaction is not None, "Piccolo runs every migration in a transaction"
    await transaction.connection.executemany(sql, rows)


def migrate(database_url: str) -> None:
    """Run `piccolo migrations forwards service` against `database_url` in a child process.

    A child process keeps Piccolo's module-level engine away from the app's own pool and makes
    the step identical to what an operator runs by hand.
    """
    import subprocess

    env = dict(os.environ, DATABASE_URL=database_url, PICCOLO_CONF="piccolo_conf")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "piccolo.main", "migrations", "forwards", "service"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0 or "error" in result.stdout.lower():
        raise RuntimeError(f"migration failed:\n{result.stdout}\n{result.stderr}")
