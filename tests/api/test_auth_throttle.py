"""Per-account login throttling, kept in the database so every worker shares it."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx

from service.app import create_app
from service.db import Database
from service.settings import Settings
from tests.accounts_support import assert_problem, login
from tests.factories import PASSWORD, make_institution, make_user


async def _failures(db: Database, email: str) -> int:
    return int(
        await db.fetchval("SELECT count(*) FROM login_failure WHERE email_lower = $1", email)
    )


async def test_five_failures_lock_the_account_even_for_the_right_password(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    inst = await make_institution(db)
    victim, bystander = await make_user(db, inst), await make_user(db, inst)
    assert settings.login_max_failures == 5
    for _ in range(5):
        assert_problem(await login(client, victim.email, "wrong password"), 401)
    locked = await login(client, victim.email)  # the right password
    body = assert_problem(locked, 429)
    retry_after = int(locked.headers["retry-after"])
    assert 0 < retry_after <= settings.login_window_minutes * 60
    assert str(retry_after) in str(body["detail"])
    assert await _failures(db, victim.email) == 5  # refused attempts are not counted
    assert (await login(client, bystander.email)).status_code == 200  # others unaffected


async def test_lock_lifts_when_the_window_has_passed(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    user = await make_user(db, await make_institution(db))
    await db.execute(
        """INSERT INTO login_failure (email_lower, failed_at)
           SELECT $1, now() - $2::interval FROM generate_series(1, 5)""",
        user.email,
        timedelta(minutes=settings.login_window_minutes - 1),
    )
    assert_problem(await login(client, user.email), 429)
    await db.execute(
        "UPDATE login_failure SET failed_at = failed_at - interval '2 minutes' WHERE email_lower = $1",
        user.email,
    )
    assert (await login(client, user.email)).status_code == 200
    assert await _failures(db, user.email) == 0  # a success clears the count


async def test_success_clears_earlier_failures(client: httpx.AsyncClient, db: Database) -> None:
    user = await make_user(db, await make_institution(db))
    await db.execute(
        "INSERT INTO login_failure (email_lower) SELECT $1 FROM generate_series(1, 4)", user.email
    )
    assert (await login(client, user.email)).status_code == 200
    assert await _failures(db, user.email) == 0
    assert_problem(await login(client, user.email, "wrong password"), 401)
    assert await _failures(db, user.email) == 1


async def test_unknown_emails_are_throttled_too(client: httpx.AsyncClient, db: Database) -> None:
    email = "ghost-throttle@example.org"
    await db.execute(
        "INSERT INTO login_failure (email_lower) SELECT $1 FROM generate_series(1, 5)", email
    )
    assert_problem(await login(client, email.upper(), PASSWORD), 429)


async def test_parallel_wrong_logins_never_exceed_the_limit(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    """20 racing attempts: exactly the limit reach the password check, the rest are refused,
    and the account stays locked for the right password afterwards."""
    user = await make_user(db, await make_institution(db))
    responses = await asyncio.gather(
        *(login(client, user.email, f"wrong password {i}") for i in range(20))
    )
    limit = settings.login_max_failures
    assert sorted(r.status_code for r in responses) == [401] * limit + [429] * (20 - limit)
    assert await _failures(db, user.email) == limit
    assert_problem(await login(client, user.email), 429)


async def test_two_app_processes_share_the_count(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    """A second app with its own connection pool stands in for another worker process."""
    user = await make_user(db, await make_institution(db))
    other_db = Database(settings.database_url or "", 1, 2)
    await other_db.connect()
    try:
        transport = httpx.ASGITransport(app=create_app(settings, db=other_db))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
            for worker in (client, other, client, other, client):
                assert_problem(await login(worker, user.email, "wrong password"), 401)
            assert_problem(await login(other, user.email), 429)
            assert_problem(await login(client, user.email), 429)
    finally:
        await other_db.close()
