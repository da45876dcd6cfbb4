"""Shared fixtures: one migrated database per session, the real app over ASGI, factories."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import httpx
import pytest

from service.app import create_app
from service.db import Database
from service.demo.reference import seed_reference
from service.migrate import migrate
from service.settings import Settings
from tests.dbsetup import TestDatabase
from tests.openapi_contract import Contract, install


@pytest.fixture(scope="session")
async def database_url() -> AsyncIterator[str]:
    test_db = TestDatabase()
    url = await test_db.create()
    migrate(url)
    try:
        yield url
    finally:
        await test_db.drop()


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    os.environ.setdefault("ENVIRONMENT", "test")
    base = Settings.from_env()
    return Settings(
        database_url=database_url,
        base_url="http://testserver",
        secret_key="test-secret-key",
        environment="test",
        smtp_url=base.smtp_url,
        db_pool_min=2,
        db_pool_max=20,
        scheduler_enabled=False,
    )


@pytest.fixture(scope="session")
async def db(settings: Settings) -> AsyncIterator[Database]:
    database = Database(settings.database_url or "", settings.db_pool_min, settings.db_pool_max)
    await database.connect()
    await seed_reference(database)
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture(scope="session")
def app(settings: Settings, db: Database):  # type: ignore[no-untyped-def]
    return create_app(settings, db=db)


@pytest.fixture(scope="session")
async def contract(app) -> Contract:  # type: ignore[no-untyped-def]
    """The OpenAPI schema as the app serves it, to check every response against."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        return Contract((await c.get("/schema/openapi.json")).json())


@pytest.fixture
async def client(app, contract: Contract) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    """The app over ASGI; a response the OpenAPI schema does not describe fails the test."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield install(c, contract)
