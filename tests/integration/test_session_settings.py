"""Pooled connections carry no session state from one checkout to the next.

The pool skips `RESET ALL` on release (`service/db.py`), so a session-level `SET` would stay on
the connection and change whatever runs on it next. The delivery job once left
`synchronous_commit = off` behind: a booking committed later on that connection was
acknowledged before its WAL was flushed. Settings are therefore transaction-local only; the
first test watches every checkout during a delivery run, the second reads the code base.
"""

from __future__ import annotations

import ast
import asyncio
import re
from datetime import timedelta
from pathlib import Path

from service.common.time import utcnow
from service.db import Database
from service.notifications.delivery import deliver_outbox
from service.notifications.reminders import queue_reminders
from service.notifications.sql import ASYNC_COMMIT
from service.settings import Settings
from tests.scheduler_support import (
    SmtpServer,
    insert_bookings,
    mail_settings,  # noqa: F401 - fixture
    make_scene,
    outbox_rows,
    smtp,  # noqa: F401 - fixture
)

ROOT = Path(__file__).resolve().parents[2]


async def test_no_checkout_ever_sees_synchronous_commit_off(
    db: Database,
    mail_settings: Settings,  # noqa: F811
    smtp: SmtpServer,  # noqa: F811
) -> None:
    scene = await make_scene(db, leads=[100_000])
    now = utcnow()
    bookings = await insert_bookings(db, scene, now + timedelta(hours=2), 30)
    await queue_reminders(db, mail_settings, now)
    # One connection, so the deliverer and the observer take turns on the very same session.
    single = Database(mail_settings.database_url or "", 1, 1)
    await single.connect()
    seen: list[str] = []
    done = asyncio.Event()

    async def observe() -> None:
        while not done.is_set():
            seen.append(await single.fetchval("SELECT current_setting('synchronous_commit')"))
            await asyncio.sleep(0)

    observer = asyncio.create_task(observe())
    try:
        for _ in range(200):  # other tests' due rows may come first
            await deliver_outbox(single, mail_settings, now, batch_size=5, max_batches=1)
            if all(r["state"] == "sent" for r in await outbox_rows(db, bookings)):
                break
        done.set()
        await observer
        seen.append(await single.fetchval("SELECT current_setting('synchronous_commit')"))
    finally:
        done.set()
        await single.close()
    rows = await outbox_rows(db, bookings)
    assert {r["state"] for r in rows} == {"sent"} and len(rows) == 30
    assert len(seen) > 6, "the observer must have had the connection between batches"
    assert set(seen) == {"on"}, f"checkouts saw synchronous_commit = {sorted(set(seen))}"


async def test_the_verdicts_commit_asynchronously_for_their_own_statement_only(
    db: Database,
) -> None:
    async with db.connection() as conn:
        inside = await conn.fetchval(
            f"SELECT current_setting('synchronous_commit') FROM {ASYNC_COMMIT}"
        )
        after = await conn.fetchval("SELECT current_setting('synchronous_commit')")
    assert (inside, after) == ("off", "on")


#: A statement that changes a setting for the rest of the session: `SET name …` or
#: `SET SESSION name …` (not `SET LOCAL`) where `name` is a server setting (or a dotted custom
#: one: prose such as "Set a password" is not SQL), `set_config(…, false)` (or a parameter that
#: could be false), session-level advisory locks.
_SESSION_SET = re.compile(r"(?:^|;)\s*SET\s+(?!LOCAL\b)(?:SESSION\s+)?([a-z_][\w.]*)", re.I)
_SESSION_CONFIG = re.compile(r"set_config\s*\([^()]*,\s*([^,()]+?)\s*\)", re.I)
_SESSION_LOCK = re.compile(r"pg_(?:try_)?advisory_lock(?:_shared)?\s*\(", re.I)


def session_statements(sql: str, settings: frozenset[str]) -> list[str]:
    """The session-level changes in `sql`; `settings` are the server's setting names."""
    found = [
        m.group(0).strip(" ;\n")
        for m in _SESSION_SET.finditer(sql)
        if m.group(1).lower() in settings or "." in m.group(1)
    ]
    found += [m.group(0) for m in _SESSION_LOCK.finditer(sql)]
    found += [m.group(0) for m in _SESSION_CONFIG.finditer(sql) if m.group(1).lower() != "true"]
    return found


async def _server_settings(db: Database) -> frozenset[str]:
    return frozenset(r["name"] for r in await db.fetch("SELECT name FROM pg_settings"))


def _strings(path: Path) -> list[str]:
    """Every string literal of a module, f-strings with their literal parts joined."""
    out: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            out.append(node.value)
        elif isinstance(node, ast.JoinedStr):
            out.append(
                "".join(str(v.value) if isinstance(v, ast.Constant) else "{}" for v in node.values)
            )
    return out


async def test_the_detector_knows_session_and_local_settings_apart(db: Database) -> None:
    names = await _server_settings(db)

    def found(sql: str) -> bool:
        return bool(session_statements(sql, names))

    assert found("SET synchronous_commit = off")
    assert found("SELECT 1; SET SESSION work_mem TO '1GB'")
    assert found("set search_path to audit")
    assert found("SET app.tenant = '7'")
    assert found("SELECT set_config('synchronous_commit', 'off', false)")
    assert found("SELECT set_config('x.y', $1, $2)")
    assert found("SELECT pg_advisory_lock(1, 2)")
    assert not found("SET LOCAL synchronous_commit = off")
    assert not found("SELECT set_config('plan_cache_mode', 'force_custom_plan', true)")
    assert not found("UPDATE booking SET status = 'cancelled' WHERE id = $1")
    assert not found("SELECT pg_advisory_xact_lock($1, $2)")
    assert not found("Set a new password, then log in.")
    assert not found(ASYNC_COMMIT)


async def test_no_code_changes_a_setting_for_the_whole_session(db: Database) -> None:
    names = await _server_settings(db)
    offenders = {
        f"{path.relative_to(ROOT)}: {statement}"
        for folder in ("service", "migrations")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for text in _strings(path)
        for statement in session_statements(text, names)
    }
    assert not offenders, sorted(offenders)
