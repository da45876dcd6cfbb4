"""Fixtures for the accounts tests: two institutions with every role in each."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from service.db import Database
from tests.factories import PASSWORD, UserHandle, make_institution, make_instrument, make_user


@dataclass
class Org:
    """Institution A (Changchun) and B (Yanbian), an instrument in each, and their people;
    `member_*` are plain users that serve as targets of administration."""

    inst_a: int
    inst_b: int
    instrument_a: int
    instrument_b: int
    platform_admin: UserHandle
    admin_a: UserHandle
    manager_a: UserHandle
    researcher_a: UserHandle
    admin_b: UserHandle
    manager_b: UserHandle
    researcher_b: UserHandle
    member_a: UserHandle
    member_b: UserHandle
    #: A third-party evaluator of A: reads A's figures and records, changes nothing.
    evaluator_a: UserHandle


async def build_org(db: Database) -> Org:
    inst_a = await make_institution(db, region="220100")
    inst_b = await make_institution(db, region="222400")
    platform_inst = await make_institution(db, region="220100", kind="other")
    instrument_a = await make_instrument(db, inst_a)
    instrument_b = await make_instrument(db, inst_b)
    return Org(
        inst_a=inst_a,
        inst_b=inst_b,
        instrument_a=instrument_a,
        instrument_b=instrument_b,
        platform_admin=await make_user(db, platform_inst, platform_admin=True),
        admin_a=await make_user(db, inst_a, admin_of=[inst_a]),
        manager_a=await make_user(db, inst_a, manages=[instrument_a]),
        researcher_a=await make_user(db, inst_a),
        admin_b=await make_user(db, inst_b, admin_of=[inst_b]),
        manager_b=await make_user(db, inst_b, manages=[instrument_b]),
        researcher_b=await make_user(db, inst_b),
        member_a=await make_user(db, inst_a),
        member_b=await make_user(db, inst_b),
        evaluator_a=await make_user(db, platform_inst, evaluates=[inst_a]),
    )


@pytest.fixture(name="org")
async def org_fixture(db: Database) -> Org:
    """Import this name into a test module to use the `org` fixture there."""
    return await build_org(db)


async def login(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    return await client.post("/api/v1/auth/login", json={"email": email, "password": password})


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["detail"]
    return body
