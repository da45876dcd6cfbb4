"""`python -m service backup FILE` / `restore FILE`: a platform with bookings comes back whole
in an empty database, with pg_dump/pg_restore of the server's own major version."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from service.db import Database
from service.migrate import migrate
from service.ops import backup
from tests.deployment_support import run_cli, scratch_database
from tests.factories import make_institution, make_instrument, make_user

pytestmark = pytest.mark.slow

_TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"


async def _fingerprint(url: str) -> dict[str, tuple[int, str]]:
    """Row count and an order-independent digest of every row of every table."""
    db = Database(url, 1, 2)
    await db.connect()
    try:
        out: dict[str, tuple[int, str]] = {}
        for row in await db.fetch(_TABLES):
            name = row["tablename"]
            digest = await db.fetchrow(
                f"SELECT count(*), coalesce(md5(string_agg(md5(t::text), '' ORDER BY "
                f"md5(t::text))), '') FROM \"{name}\" t"
            )
            assert digest is not None
            out[name] = (digest[0], digest[1])
        return out
    finally:
        await db.close()


async def _platform_with_bookings(url: str) -> None:
    db = Database(url, 1, 4)
    await db.connect()
    try:
        inst = await make_institution(db)
        user = await make_user(db, inst)
        instrument = await make_instrument(db, inst)
        start = datetime(2031, 3, 3, 9, tzinfo=UTC)
        for k in range(20):
            begin = start + timedelta(hours=2 * k)
            await db.execute(
                """INSERT INTO booking (instrument_id, user_id, starts_at, ends_at,
                       occupied_until, status, booker_institution_id, booker_region_code)
                   VALUES ($1, $2, $3, $4, $4, 'confirmed', $5, '220100')""",
                instrument, user.id, begin, begin + timedelta(hours=1), inst,
            )  # fmt: skip
    finally:
        await db.close()


async def test_backup_then_restore_into_an_empty_database_gives_the_same_data(
    database_url: str, tmp_path: Path
) -> None:
    dump = tmp_path / "platform.dump"
    async with scratch_database(database_url) as source:
        migrate(source)
        await _platform_with_bookings(source)
        made = run_cli(source, "backup", str(dump))
        assert made.returncode == 0, made.stderr
        major, _ = await backup.server_facts(source)
        assert f"/{major}/" in made.stdout or "pginstall" in made.stdout  # the matching tool
        before = await _fingerprint(source)
        async with scratch_database(database_url) as target:
            restored = run_cli(target, "restore", str(dump))
            assert restored.returncode == 0, restored.stderr
            after = await _fingerprint(target)
            refused = run_cli(target, "restore", str(dump))
            assert refused.returncode != 0 and "not empty" not in refused.stderr
            assert "already has" in refused.stderr
    assert before["booking"][0] == 20 and before["category"][0] > 300
    assert after == before


def test_a_tool_of_another_major_version_is_refused() -> None:
    with pytest.raises(backup.BackupError, match="PostgreSQL 7"):
        backup.find_tool("pg_dump", 7)


def test_the_password_travels_in_the_environment_not_the_command_line() -> None:
    url, env = backup.split_password("postgresql://app:s%40cret@db:5432/share?sslmode=require")
    assert url == "postgresql://app@db:5432/share?sslmode=require"
    assert env["PGPASSWORD"] == "s@cret"
