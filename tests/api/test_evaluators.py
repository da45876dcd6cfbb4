"""The evaluator role: reads the figures, records and exports of its institutions only, changes
nothing (every unsafe route of the app, enumerated, answers 403), and every read is audited."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from service.db import Database
from service.evaluators import rules
from service.metrics.rollup import rebuild
from tests.accounts_support import assert_problem
from tests.factories import UserHandle, make_institution, make_instrument, make_user
from tests.metrics_support import add_session
from tests.web_support import signed_in

SH = ZoneInfo("Asia/Shanghai")
MAY = {"from": "2025-05-01", "to": "2025-06-01"}


@dataclass
class Setup:
    a: int
    b: int
    instrument_a: int
    instrument_b: int
    session_a: int
    session_b: int
    users: dict[str, UserHandle]


@pytest.fixture(scope="module")
async def setup(db: Database) -> Setup:
    a, b = await make_institution(db), await make_institution(db, region="222400")
    agency = await make_institution(db, kind="other")
    ia, ib = await make_instrument(db, a), await make_instrument(db, b)
    sa = await add_session(
        db, ia, b, datetime(2025, 5, 6, 9, tzinfo=SH), datetime(2025, 5, 6, 12, tzinfo=SH)
    )
    sb = await add_session(
        db, ib, a, datetime(2025, 5, 7, 9, tzinfo=SH), datetime(2025, 5, 7, 11, tzinfo=SH)
    )
    await rebuild(db, date(2025, 5, 1), date(2025, 6, 1), [ia, ib])
    users = {
        "platform": await make_user(db, agency, platform_admin=True),
        "admin_a": await make_user(db, a, admin_of=[a]),
        "admin_b": await make_user(db, b, admin_of=[b]),
        "manager_a": await make_user(db, a, manages=[ia]),
        "researcher_a": await make_user(db, a),
        "evaluator_a": await make_user(db, agency, evaluates=[a]),
    }
    return Setup(a, b, ia, ib, sa, sb, users)


def _reads(s: Setup) -> dict[str, str]:
    """Reads of figures, records and exports of A and of B."""
    return {
        "evaluation_a": f"/api/v1/metrics/institutions/{s.a}/evaluation",
        "evaluation_b": f"/api/v1/metrics/institutions/{s.b}/evaluation",
        "usage_a": f"/api/v1/instruments/{s.instrument_a}/usage",
        "usage_b": f"/api/v1/instruments/{s.instrument_b}/usage",
        "session_a": f"/api/v1/usage/{s.session_a}",
        "session_b": f"/api/v1/usage/{s.session_b}",
    }


# role -> status of each read (A's objects, then B's)
EXPECTED = {
    "platform": {"evaluation_a": 200, "evaluation_b": 200, "usage_a": 200, "usage_b": 200, "session_a": 200, "session_b": 200},
    "admin_a": {"evaluation_a": 200, "evaluation_b": 404, "usage_a": 200, "usage_b": 403, "session_a": 200, "session_b": 403},
    "admin_b": {"evaluation_a": 404, "evaluation_b": 200, "usage_a": 403, "usage_b": 200, "session_a": 403, "session_b": 200},
    "manager_a": {"evaluation_a": 404, "evaluation_b": 404, "usage_a": 200, "usage_b": 403, "session_a": 200, "session_b": 403},
    "researcher_a": {"evaluation_a": 403, "evaluation_b": 403, "usage_a": 403, "usage_b": 403, "session_a": 403, "session_b": 403},
    "evaluator_a": {"evaluation_a": 200, "evaluation_b": 404, "usage_a": 200, "usage_b": 403, "session_a": 200, "session_b": 403},
}  # fmt: skip


async def test_read_matrix_role_by_institution(client: httpx.AsyncClient, setup: Setup) -> None:
    outcome = {
        role: {
            key: (
                await client.get(
                    path,
                    params=MAY if key.startswith("evaluation") else None,
                    headers=setup.users[role].headers,
                )
            ).status_code
            for key, path in _reads(setup).items()
        }
        for role in EXPECTED
    }
    assert outcome == EXPECTED


async def test_an_evaluators_figures_and_exports_hold_only_its_institutions(
    client: httpx.AsyncClient, setup: Setup
) -> None:
    headers = setup.users["evaluator_a"].headers
    table = await client.get(
        "/api/v1/metrics/sharing", params={**MAY, "page_size": 200}, headers=headers
    )
    assert table.status_code == 200
    keys = {r["key"] for r in table.json()["rows"]}
    assert str(setup.instrument_a) in keys and str(setup.instrument_b) not in keys
    assert table.json()["totals"]["effective_hours"] == 3.0
    peek = await client.get(
        "/api/v1/metrics/sharing", params={**MAY, "institution": setup.b}, headers=headers
    )
    assert peek.json()["rows"] == [] and peek.json()["totals"]["effective_hours"] == 0
    csv = await client.get("/api/v1/metrics/sharing.csv", params=MAY, headers=headers)
    assert (
        csv.status_code == 200
        and str(setup.instrument_b) not in csv.text.split("\n", 1)[1].split(",")[0:1]
    )
    records = await client.get("/api/v1/metrics/service-records", params=MAY, headers=headers)
    assert [i["instrumentCode"] for i in records.json()["items"]] == [str(setup.instrument_a)]
    flows = await client.get("/api/v1/metrics/flows", params=MAY, headers=headers)
    assert sum(m["hours"] for m in flows.json()["matrix"]) == 3.0
    history = await client.get(f"/api/v1/usage/{setup.session_a}/history", headers=headers)
    assert history.status_code == 200
    # the registry's own formats too: A's catalogue and completeness, not B's
    for path in ("/api/v1/registry/instruments", "/api/v1/registry/completeness"):
        own = await client.get(path, params={"institution": setup.a}, headers=headers)
        assert own.status_code == 200, (path, own.text)
        other = await client.get(path, params={"institution": setup.b}, headers=headers)
        assert other.status_code == 403, path
    registry = await client.get(
        "/api/v1/registry/service-records", params={**MAY, "format": "json"}, headers=headers
    )
    assert registry.status_code == 200 and len(registry.json()) == 1  # A's session for B


def _path(route: str) -> str:
    """A concrete path for a route pattern: every parameter 1 (or `x`)."""

    def value(match: re.Match[str]) -> str:
        return "1" if match.group(2) in ("int", None) else "x"

    return re.sub(r"\{(\w+)(?::(\w+))?\}", value, route)


def _unsafe_routes(app: Any) -> list[tuple[str, str]]:
    found = []
    for route in app.routes:
        for method in getattr(route, "methods", set()):
            if method in rules.UNSAFE and route.path != "/static":
                found.append((method, _path(route.path)))
    return sorted(found)


async def test_every_write_of_the_app_is_refused_to_an_evaluator(
    app: Any, client: httpx.AsyncClient, db: Database, setup: Setup
) -> None:
    """Enumerated from the app: a route added later is covered without touching this test."""
    routes = _unsafe_routes(app)
    assert len(routes) > 40
    evaluator = setup.users["evaluator_a"]
    before = await db.fetchval("SELECT count(*) FROM usage_session_revision")
    allowed = []
    for method, path in routes:
        if rules.may_write(method, path):  # its own account: not sent (logout ends the token)
            allowed.append(path)
            continue
        r = await client.request(method, path, json={}, headers=evaluator.headers)
        assert r.status_code == 403, (method, path, r.status_code, r.text[:200])
    assert set(allowed) <= {
        "/api/v1/auth/login",
        "/api/v1/auth/logout",
        "/api/v1/me",
        "/api/v1/tokens",
        "/api/v1/tokens/1",
        "/login",
        "/logout",
        "/language",
        "/account/preferences",
        "/api/v1/surveys/answer/x",  # a survey link needs no account
        "/surveys/x",
    }
    assert await db.fetchval("SELECT count(*) FROM usage_session_revision") == before
    # the same through the pages, with a browser session and its CSRF token
    async with signed_in(app, evaluator.email) as (c, token):
        r = await c.post(
            f"/manage/usage/{setup.session_a}/delete", data={"csrf_token": token, "reason": "x"}
        )
        assert r.status_code == 403
        assert await db.fetchval("SELECT 1 FROM usage_session WHERE id = $1", setup.session_a)


async def test_every_read_of_an_evaluator_is_audited(
    app: Any, client: httpx.AsyncClient, db: Database, setup: Setup
) -> None:
    evaluator = setup.users["evaluator_a"]

    async def reads() -> list[dict[str, object]]:
        rows = await db.fetch(
            "SELECT institution_id, detail FROM audit_event WHERE actor_user_id = $1 AND action = 'evaluator.read' ORDER BY id",
            evaluator.id,
        )
        return [dict(r) for r in rows]

    seen = len(await reads())
    await client.get("/api/v1/metrics/sharing.csv", params=MAY, headers=evaluator.headers)
    await client.get(
        f"/api/v1/metrics/institutions/{setup.b}/evaluation", headers=evaluator.headers
    )
    new = (await reads())[seen:]
    assert [(r["institution_id"], r["detail"]["path"], r["detail"]["status"]) for r in new] == [  # type: ignore[index]
        (setup.a, "/api/v1/metrics/sharing.csv", 200),
        (
            setup.a,
            f"/api/v1/metrics/institutions/{setup.b}/evaluation",
            404,
        ),  # refused, still logged
    ]
    assert new[0]["detail"]["query"] == MAY  # type: ignore[index]
    async with signed_in(app, evaluator.email) as (c, _):
        page = await c.get(f"/institution/{setup.a}/figures", params=MAY)
        assert page.status_code == 200
        assert 'href="/evaluation"' in page.text
        listing = await c.get("/evaluation")
        assert listing.status_code == 200 and f"/institution/{setup.a}/figures" in listing.text
        assert (await c.get(f"/institution/{setup.b}/figures")).status_code == 404
    paths = [r["detail"]["path"] for r in (await reads())[seen + 2 :]]  # type: ignore[index]
    assert f"/institution/{setup.a}/figures" in paths and "/evaluation" in paths
    # other people's reads are not the evaluator log's business
    before = await db.fetchval("SELECT count(*) FROM audit_event WHERE action = 'evaluator.read'")
    await client.get("/api/v1/metrics/sharing", params=MAY, headers=setup.users["admin_a"].headers)
    assert (
        await db.fetchval("SELECT count(*) FROM audit_event WHERE action = 'evaluator.read'")
        == before
    )


async def test_assignments_are_for_platform_admins_and_audited(
    client: httpx.AsyncClient, db: Database, setup: Setup
) -> None:
    agency = await make_institution(db, kind="other")
    person = await make_user(db, agency)
    url = f"/api/v1/institutions/{setup.b}/evaluators/{person.id}"
    assert_problem(await client.put(url, headers=setup.users["admin_b"].headers), 403)
    for _ in range(2):  # idempotent
        assert (await client.put(url, headers=setup.users["platform"].headers)).status_code == 204
    listed = await client.get(
        f"/api/v1/institutions/{setup.b}/evaluators", headers=setup.users["admin_b"].headers
    )
    assert [e["user_id"] for e in listed.json()] == [person.id]
    assert_problem(
        await client.get(
            f"/api/v1/institutions/{setup.b}/evaluators", headers=setup.users["admin_a"].headers
        ),
        403,
    )
    me = await client.get("/api/v1/me", headers=person.headers)
    assert "evaluator" in me.json()["roles"]
    grants = await db.fetchval(
        "SELECT count(*) FROM audit_event WHERE action = 'evaluator.granted' AND subject_user_id = $1",
        person.id,
    )
    assert grants == 1
    # an admin cannot be made an evaluator: an evaluator's account writes nothing anywhere
    admin = setup.users["admin_a"]
    assert_problem(
        await client.put(
            f"/api/v1/institutions/{setup.b}/evaluators/{admin.id}",
            headers=setup.users["platform"].headers,
        ),
        422,
    )
    assert_problem(
        await client.put(
            f"/api/v1/institutions/{setup.b}/evaluators/999999999",
            headers=setup.users["platform"].headers,
        ),
        404,
    )
    assert (await client.delete(url, headers=setup.users["platform"].headers)).status_code == 204
    assert (
        await client.get(
            f"/api/v1/institutions/{setup.b}/evaluators", headers=setup.users["platform"].headers
        )
    ).json() == []
