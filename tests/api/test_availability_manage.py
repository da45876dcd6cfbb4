"""Owners' calendar management over HTTP: who may, what is valid, and the effect on free/busy."""

from __future__ import annotations

import httpx
import pytest

from service.db import Database
from tests.availability_support import make_place, new_instrument
from tests.factories import UserHandle, make_user

PROBLEM = "application/problem+json"


@pytest.fixture
async def world(db: Database) -> dict[str, object]:
    a, b = await make_place(db), await make_place(db, "220200")
    ia, ib = await new_instrument(db, a), await new_instrument(db, b)
    return {
        "a": a,
        "ia": ia,
        "ib": ib,
        "manager_a": await make_user(db, a.institution_id, manages=[ia]),
        "admin_a": await make_user(db, a.institution_id, admin_of=[a.institution_id]),
        "researcher": await make_user(db, a.institution_id),
        "platform": await make_user(db, b.institution_id, platform_admin=True),
    }


def _h(world: dict[str, object], who: str) -> dict[str, str]:
    user = world[who]
    assert isinstance(user, UserHandle)
    return user.headers


HOURS = {
    "intervals": [
        {"weekday": 1, "opens": "09:00", "closes": "12:00"},
        {"weekday": 1, "opens": "12:00", "closes": "17:00"},
        {"weekday": 6, "opens": "20:00", "closes": "24:00"},
    ]
}


async def test_manager_sets_hours_and_they_shape_availability(
    client: httpx.AsyncClient, world: dict[str, object]
) -> None:
    ia = world["ia"]
    put = await client.put(
        f"/api/v1/instruments/{ia}/opening-hours", json=HOURS, headers=_h(world, "manager_a")
    )
    assert put.status_code == 200, put.text
    assert put.json()["intervals"] == [
        {"weekday": 1, "opens": "09:00", "closes": "17:00"},
        {"weekday": 6, "opens": "20:00", "closes": "24:00"},
    ]
    got = await client.get(f"/api/v1/instruments/{ia}/opening-hours", headers=_h(world, "admin_a"))
    assert got.json() == put.json() and got.json()["always_open"] is False
    avail = await client.get(
        f"/api/v1/instruments/{ia}/availability",
        params={"from": "2031-03-03T00:00:00+08:00", "to": "2031-03-04T00:00:00+08:00"},
    )
    assert avail.json()["free"] == [
        {"start": "2031-03-03T01:00:00Z", "end": "2031-03-03T09:00:00Z"}
    ]
    cleared = await client.put(
        f"/api/v1/instruments/{ia}/opening-hours",
        json={"intervals": []},
        headers=_h(world, "platform"),
    )
    assert cleared.status_code == 200 and cleared.json()["always_open"] is True


@pytest.mark.parametrize(
    "body",
    [
        {
            "intervals": [
                {"weekday": 1, "opens": "09:00", "closes": "13:00"},
                {"weekday": 1, "opens": "12:00", "closes": "17:00"},
            ]
        },
        {"intervals": [{"weekday": 1, "opens": "17:00", "closes": "09:00"}]},
        {"intervals": [{"weekday": 8, "opens": "09:00", "closes": "17:00"}]},
        {"intervals": [{"weekday": 1, "opens": "9:00", "closes": "17:00"}]},
        {"intervals": [{"weekday": 1, "opens": "09:60", "closes": "17:00"}]},
        {"intervals": [{"weekday": 1, "opens": "24:00", "closes": "24:00"}]},
        {"intervals": [{"weekday": 1, "opens": "09:00"}]},
        {"hours": []},
    ],
)
async def test_bad_hours_are_422(
    client: httpx.AsyncClient, world: dict[str, object], body: dict[str, object]
) -> None:
    response = await client.put(
        f"/api/v1/instruments/{world['ia']}/opening-hours",
        json=body,
        headers=_h(world, "manager_a"),
    )
    assert response.status_code in {400, 422}, response.text
    assert response.headers["content-type"].startswith(PROBLEM)


async def test_who_may_manage(client: httpx.AsyncClient, world: dict[str, object]) -> None:
    ia, ib = world["ia"], world["ib"]
    paths = [
        f"/api/v1/instruments/{ib}/opening-hours",
        f"/api/v1/instruments/{ib}/closures",
        f"/api/v1/instruments/{ib}/policy",
    ]
    for who in ("manager_a", "admin_a", "researcher"):
        for path in paths:
            assert (await client.get(path, headers=_h(world, who))).status_code == 403, (who, path)
        put = await client.put(paths[0], json=HOURS, headers=_h(world, who))
        assert put.status_code == 403
        post = await client.post(paths[1], json={"day": "2031-05-01"}, headers=_h(world, who))
        assert post.status_code == 403
        policy = await client.put(paths[2], json={}, headers=_h(world, who))
        assert policy.status_code == 403
    researcher_own = await client.put(
        f"/api/v1/instruments/{ia}/opening-hours", json=HOURS, headers=_h(world, "researcher")
    )
    assert researcher_own.status_code == 403
    anonymous = await client.get(f"/api/v1/instruments/{ia}/opening-hours")
    assert anonymous.status_code == 401
    missing = await client.get(
        "/api/v1/instruments/999999999/policy", headers=_h(world, "platform")
    )
    assert missing.status_code == 404
    for response in (anonymous, missing):
        assert response.headers["content-type"].startswith(PROBLEM)


async def test_closures_lifecycle(client: httpx.AsyncClient, world: dict[str, object]) -> None:
    ia, headers = world["ia"], _h(world, "manager_a")
    base = f"/api/v1/instruments/{ia}/closures"
    closed = await client.post(
        base, json={"day": "2031-05-01", "reason": "劳动节"}, headers=headers
    )
    assert closed.status_code == 201, closed.text
    assert closed.json()["closed_all_day"] is True
    special = await client.post(
        base, json={"day": "2031-05-02", "opens": "10:00", "closes": "12:00"}, headers=headers
    )
    assert special.status_code == 201 and special.json()["opens"] == "10:00"
    again = await client.post(base, json={"day": "2031-05-01"}, headers=headers)
    assert again.status_code == 409
    avail = await client.get(
        f"/api/v1/instruments/{ia}/availability",
        params={"from": "2031-05-01T00:00:00+08:00", "to": "2031-05-03T00:00:00+08:00"},
    )
    assert avail.json()["free"] == [
        {"start": "2031-05-02T02:00:00Z", "end": "2031-05-02T04:00:00Z"}
    ]
    listed = await client.get(
        base, params={"from": "2031-05-01", "to": "2031-05-31"}, headers=headers
    )
    assert [c["day"] for c in listed.json()] == ["2031-05-01", "2031-05-02"]
    closure_id = closed.json()["id"]
    other = await client.delete(
        f"/api/v1/instruments/{world['ib']}/closures/{closure_id}", headers=_h(world, "platform")
    )
    assert other.status_code == 404
    gone = await client.delete(f"{base}/{closure_id}", headers=headers)
    assert gone.status_code == 204
    assert (await client.delete(f"{base}/{closure_id}", headers=headers)).status_code == 404
    for bad in (
        {"day": "2031-05-03", "opens": "10:00"},
        {"day": "2031-05-03", "opens": "12:00", "closes": "10:00"},
        {"day": "not-a-date"},
        {"day": "2031-05-03", "reason": "x" * 501},
    ):
        response = await client.post(base, json=bad, headers=headers)
        assert response.status_code in {400, 422}, (bad, response.text)


async def test_policy_get_put_and_source(
    client: httpx.AsyncClient, world: dict[str, object], db: Database
) -> None:
    ia = world["ia"]
    a = world["a"]
    path = f"/api/v1/instruments/{ia}/policy"
    first = await client.get(path, headers=_h(world, "manager_a"))
    assert first.status_code == 200 and first.json()["source"] == "default"
    inst_path = f"/api/v1/institutions/{a.institution_id}/policy"  # type: ignore[attr-defined]
    assert (
        await client.put(inst_path, json={"buffer_minutes": 15}, headers=_h(world, "manager_a"))
    ).status_code == 403
    inst = await client.put(inst_path, json={"buffer_minutes": 15}, headers=_h(world, "admin_a"))
    assert inst.status_code == 200 and inst.json()["source"] == "institution"
    inherited = await client.get(path, headers=_h(world, "manager_a"))
    assert inherited.json()["source"] == "institution" and inherited.json()["buffer_minutes"] == 15
    own = await client.put(
        path,
        json={
            "min_minutes": 60,
            "max_minutes": 240,
            "granularity_minutes": 60,
            "approval": "all",
            "service_ways": ["occupy", "remote"],
            "fee_external_academic": "120.50",
            "max_hours_per_week": 20,
        },
        headers=_h(world, "manager_a"),
    )
    assert own.status_code == 200, own.text
    body = own.json()
    assert body["source"] == "instrument" and body["service_ways"] == ["occupy", "remote"]
    assert body["fee_external_academic"] == "120.50" and body["buffer_minutes"] == 0
    assert (await client.get(inst_path, headers=_h(world, "researcher"))).status_code == 403
    assert (
        await client.get("/api/v1/institutions/999999999/policy", headers=_h(world, "platform"))
    ).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"min_minutes": 120, "max_minutes": 60},
        {"granularity_minutes": 7, "min_minutes": 14, "max_minutes": 70},
        {"granularity_minutes": 45},
        {"fee_internal": "-1"},
        {"fee_internal": "NaN"},
        {"approval": "sometimes"},
        {"service_ways": ["teleport"]},
        {"service_ways": []},
        {"horizon_days": 0},
        {"max_hours_per_day": 30},
        {"unknown_field": 1},
    ],
)
async def test_bad_policies_are_422(
    client: httpx.AsyncClient, world: dict[str, object], body: dict[str, object]
) -> None:
    response = await client.put(
        f"/api/v1/instruments/{world['ia']}/policy", json=body, headers=_h(world, "manager_a")
    )
    assert response.status_code in {400, 422}, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
