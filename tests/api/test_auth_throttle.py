"""Login throttling per (account, client address) and per address, kept in the database so every
worker shares it; growing delays instead of a fixed lock, so a stranger cannot lock a user out."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import httpx

from service.app import create_app
from service.db import Database
from service.settings import Settings
from tests.accounts_support import assert_problem, login
from tests.factories import PASSWORD, UserHandle, make_institution, make_user

_hosts = itertools.count(1)


def fresh_address() -> str:
    """An address of its own per test, so counts of other tests do not leak in."""
    n = next(_hosts)
    return f"198.51.{100 + n // 250}.{n % 250 + 1}"


@asynccontextmanager
async def client_at(app: Any, address: str) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def _failures(db: Database, email: str, address: str | None = None) -> int:
    return int(
        await db.fetchval(
            "SELECT count(*) FROM login_failure WHERE email_lower = $1 "
            "AND ($2::text IS NULL OR client_address = $2)",
            email,
            address,
        )
    )


async def _user(db: Database) -> UserHandle:
    return await make_user(db, await make_institution(db))


async def test_failures_past_the_free_ones_bring_a_growing_delay(
    app: Any, db: Database, settings: Settings
) -> None:
    victim, bystander = await _user(db), await _user(db)
    address = fresh_address()
    async with client_at(app, address) as client:
        assert settings.login_max_failures == 5
        for _ in range(5):
            assert_problem(await login(client, victim.email, "wrong password"), 401)
        delayed = await login(client, victim.email)  # the right password must wait too
        body = assert_problem(delayed, 429)
        retry_after = int(delayed.headers["retry-after"])
        assert 25 <= retry_after <= 30
        assert str(retry_after) in str(body["detail"])
        assert await _failures(db, victim.email) == 5  # refused attempts are not counted
        assert (await login(client, bystander.email)).status_code == 200  # others unaffected
        # Once the pause has passed, one more wrong guess doubles it.
        await db.execute(
            "UPDATE login_failure SET failed_at = failed_at - interval '31 seconds' "
            "WHERE email_lower = $1",
            victim.email,
        )
        assert_problem(await login(client, victim.email, "wrong again"), 401)
        doubled = assert_problem(await login(client, victim.email), 429)
        assert "60 seconds" in doubled["detail"] or "59 seconds" in doubled["detail"]


async def test_a_stranger_elsewhere_cannot_lock_the_user_out(app: Any, db: Database) -> None:
    user = await _user(db)
    async with client_at(app, fresh_address()) as stranger:
        for _ in range(8):
            r = await login(stranger, user.email, "guess")
            assert r.status_code in (401, 429)
        assert_problem(await login(stranger, user.email), 429)
    async with client_at(app, fresh_address()) as owner:
        assert (await login(owner, user.email)).status_code == 200


async def test_a_success_forgives_the_pair_but_not_the_address(app: Any, db: Database) -> None:
    user = await _user(db)
    address = fresh_address()
    await db.execute(
        """INSERT INTO login_failure (email_lower, client_address)
           SELECT $1, $2 FROM generate_series(1, 4)""",
        user.email,
        address,
    )
    async with client_at(app, address) as client:
        assert (await login(client, user.email)).status_code == 200
        assert await _failures(db, user.email, address) == 0
        assert_problem(await login(client, user.email, "wrong password"), 401)
        assert await _failures(db, user.email, address) == 1


async def test_password_spraying_from_one_address_is_slowed_down(
    db: Database, settings: Settings
) -> None:
    """One wrong password tried on many accounts: each account sees one failure only, the
    address sees them all."""
    low = dataclasses.replace(settings, login_address_max_failures=6)
    other_db = Database(settings.database_url or "", 1, 3)
    await other_db.connect()
    try:
        app = create_app(low, db=other_db)
        victims = [await _user(db) for _ in range(8)]
        async with client_at(app, fresh_address()) as sprayer:
            codes = [(await login(sprayer, v.email, "Spring2026!")).status_code for v in victims]
            assert codes == [401] * 6 + [429] * 2
            blocked = assert_problem(await login(sprayer, victims[0].email), 429)
            assert "address" in blocked["detail"]
        async with client_at(app, fresh_address()) as elsewhere:
            assert (await login(elsewhere, victims[-1].email)).status_code == 200
    finally:
        await other_db.close()


async def test_the_expired_window_forgets_everything(
    app: Any, db: Database, settings: Settings
) -> None:
    user = await _user(db)
    address = fresh_address()
    await db.execute(
        """INSERT INTO login_failure (email_lower, client_address, failed_at)
           SELECT $1, $2, now() - $3::interval FROM generate_series(1, 30)""",
        user.email,
        address,
        timedelta(minutes=settings.login_window_minutes, seconds=1),
    )
    async with client_at(app, address) as client:
        assert (await login(client, user.email)).status_code == 200


async def test_unknown_emails_are_throttled_too(app: Any, db: Database) -> None:
    email = "ghost-throttle@example.org"
    address = fresh_address()
    await db.execute(
        """INSERT INTO login_failure (email_lower, client_address)
           SELECT $1, $2 FROM generate_series(1, 5)""",
        email,
        address,
    )
    async with client_at(app, address) as client:
        assert_problem(await login(client, email.upper(), PASSWORD), 429)


async def test_parallel_wrong_logins_never_exceed_the_free_count(
    app: Any, db: Database, settings: Settings
) -> None:
    """20 racing attempts: exactly the free number reach the password check, the rest wait."""
    user = await _user(db)
    async with client_at(app, fresh_address()) as client:
        responses = await asyncio.gather(
            *(login(client, user.email, f"wrong password {i}") for i in range(20))
        )
        limit = settings.login_max_failures
        assert sorted(r.status_code for r in responses) == [401] * limit + [429] * (20 - limit)
        assert await _failures(db, user.email) == limit
        assert_problem(await login(client, user.email), 429)


async def test_the_address_comes_from_a_trusted_proxy_only(
    db: Database, settings: Settings
) -> None:
    proxied = dataclasses.replace(settings, trusted_proxies=("10.0.0.0/8",))
    other_db = Database(settings.database_url or "", 1, 3)
    await other_db.connect()
    try:
        app = create_app(proxied, db=other_db)
        user = await _user(db)
        real = fresh_address()
        async with client_at(app, "10.0.0.2") as proxy:
            r = await proxy.post(
                "/api/v1/auth/login",
                json={"email": user.email, "password": "wrong"},
                headers={"X-Forwarded-For": f"6.6.6.6, {real}"},
            )
            assert r.status_code == 401
        spoofer = fresh_address()
        async with client_at(app, spoofer) as direct:
            r = await direct.post(
                "/api/v1/auth/login",
                json={"email": user.email, "password": "wrong"},
                headers={"X-Forwarded-For": "203.0.113.50"},
            )
            assert r.status_code == 401
        rows = await db.fetch(
            "SELECT client_address FROM login_failure WHERE email_lower = $1 ORDER BY id",
            user.email,
        )
        assert [r["client_address"] for r in rows] == [real, spoofer]
    finally:
        await other_db.close()


async def test_two_app_processes_share_the_count(db: Database, settings: Settings) -> None:
    """A second app with its own connection pool stands in for another worker process."""
    user = await _user(db)
    address = fresh_address()
    pools = [Database(settings.database_url or "", 1, 2) for _ in range(2)]
    for pool in pools:
        await pool.connect()
    try:
        async with (
            client_at(create_app(settings, db=pools[0]), address) as one,
            client_at(create_app(settings, db=pools[1]), address) as two,
        ):
            for worker in (one, two, one, two, one):
                assert_problem(await login(worker, user.email, "wrong password"), 401)
            assert_problem(await login(two, user.email), 429)
            assert_problem(await login(one, user.email), 429)
    finally:
        for pool in pools:
            await pool.close()


async def test_wrong_current_passwords_are_throttled_like_logins(app: Any, db: Database) -> None:
    user = await _user(db)
    async with client_at(app, fresh_address()) as client:
        for _ in range(5):
            r = await client.patch(
                "/api/v1/me",
                json={"password": "a new password 123", "current_password": "guess"},
                headers=user.headers,
            )
            assert_problem(r, 422)
        r = await client.patch(
            "/api/v1/me",
            json={"password": "a new password 123", "current_password": PASSWORD},
            headers=user.headers,
        )
        assert_problem(r, 429)
        assert int(r.headers["retry-after"]) > 0


async def test_logins_and_failures_are_in_the_audit_log(app: Any, db: Database) -> None:
    user = await _user(db)
    address = fresh_address()
    async with client_at(app, address) as client:
        assert_problem(await login(client, user.email, "wrong password"), 401)
        assert (await login(client, user.email)).status_code == 200
    rows = await db.fetch(
        "SELECT action, client_address, detail FROM audit_event WHERE subject_user_id = $1 "
        "ORDER BY id",
        user.id,
    )
    assert [(r["action"], r["client_address"]) for r in rows] == [
        ("login.failed", address),
        ("login.succeeded", address),
    ]
    assert rows[0]["detail"]["reason"] == "password"
