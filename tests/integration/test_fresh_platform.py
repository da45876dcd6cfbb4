"""`serve --no-demo` on an empty database: the migrations bring the reference data, the first
admin comes from the CLI or from ADMIN_EMAIL/ADMIN_PASSWORD, and the platform works from there."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest

from service.app import create_app
from service.db import Database
from service.settings import Settings
from tests.deployment_support import run_cli, scratch_database

PASSWORD = "first-admin-password-1"

pytestmark = pytest.mark.slow


async def test_migrate_with_admin_env_gives_a_platform_one_can_log_in_to(
    database_url: str, settings: Settings
) -> None:
    async with scratch_database(database_url) as url:
        env = {"ADMIN_EMAIL": "Ops@Example.org", "ADMIN_PASSWORD": PASSWORD}
        done = run_cli(url, "migrate", env=env)
        assert done.returncode == 0, done.stderr
        assert "platform admin Ops@Example.org: created" in done.stdout
        again = run_cli(url, "migrate", env=env)  # the one-shot service may run again
        assert again.returncode == 0 and "already present" in again.stdout, again.stderr
        db = Database(url, 1, 4)
        await db.connect()
        try:
            assert await db.fetchval("SELECT count(*) FROM app_user") == 1
            app = create_app(replace(settings, database_url=url), db=db)
            transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                await _first_steps(client)
        finally:
            await db.close()


async def _first_steps(client: httpx.AsyncClient) -> None:
    login = await client.post(
        "/api/v1/auth/login", json={"email": "ops@example.org", "password": PASSWORD}
    )
    assert login.status_code == 200, login.text
    headers = {"Authorization": f"Bearer {login.json()['token']}"}
    regions = {r["code"] for r in (await client.get("/api/v1/regions")).json()}
    assert {"220100", "222400"} <= regions
    created = await client.post(
        "/api/v1/institutions",
        json={"code": "jlu", "name_zh": "吉林大学", "name_en": "Jilin University",
              "kind": "university", "region_code": "220100"},
        headers=headers,
    )  # fmt: skip
    assert created.status_code == 201, created.text
    registered = await client.post(
        "/api/v1/auth/register",
        json={"email": "r@jlu.example.org", "password": "researcher-pass-1",
              "display_name": "R", "institution_id": created.json()["id"]},
    )  # fmt: skip
    assert registered.status_code == 201, registered.text
    instrument = await client.post(
        "/api/v1/instruments",
        json={"institution_id": created.json()["id"], "name_zh": "核磁共振波谱仪",
              "category_code": "010601", "original_value": "800.00"},
        headers=headers,
    )  # fmt: skip
    assert instrument.status_code == 201, instrument.text


async def test_admin_create_is_idempotent_and_checks_its_input(database_url: str) -> None:
    async with scratch_database(database_url) as url:
        assert run_cli(url, "migrate").returncode == 0
        first = run_cli(url, "admin", "create", "--email", "a@example.org", "--password-stdin",
                        stdin=PASSWORD + "\n")  # fmt: skip
        assert first.returncode == 0 and "created" in first.stdout, first.stderr
        second = run_cli(url, "admin", "create", "--email", "A@example.org")
        assert second.returncode == 0 and "already present" in second.stdout, second.stderr
        weak = run_cli(url, "admin", "create", "--email", "b@example.org", "--password-stdin",
                       stdin="short\n")  # fmt: skip
        assert weak.returncode != 0 and "password" in weak.stderr
        no_password = run_cli(url, "admin", "create", "--email", "c@example.org")
        assert no_password.returncode != 0 and "needs a password" in no_password.stderr
        db = Database(url, 1, 2)
        await db.connect()
        try:
            rows = await db.fetch("SELECT email, is_platform_admin, is_active FROM app_user")
            operator = await db.fetchval(
                "SELECT count(*) FROM institution WHERE code = 'platform-operator'"
            )
        finally:
            await db.close()
        assert [tuple(r) for r in rows] == [("a@example.org", True, True)] and operator == 1
