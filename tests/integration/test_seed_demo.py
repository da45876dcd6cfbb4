"""The demo data set: deterministic, idempotent, and it answers the issue's acceptance query."""

from __future__ import annotations

import httpx
import pytest

from service.catalog.demo_institutions import DEMO_USERS, INSTITUTIONS
from service.catalog.demo_plan import build_demo
from service.catalog.seed import seed_demo
from service.db import Database

DEMO_CODES = [i.code for i in INSTITUTIONS]


@pytest.fixture(scope="module")
async def demo(db: Database) -> Database:
    await seed_demo(db)
    return db


def test_plan_is_deterministic_and_pinned() -> None:
    first, second = build_demo(), build_demo()
    assert first == second
    assert len(first.institutions) == 41 and len(first.instruments) == 395
    # A changed generator changes the demo everyone knows; these pin it.
    assert first.instruments[0].model == "Orbitrap Exploris 480"
    assert [i.name_zh for i in first.instruments[1:3]] == [
        "高分辨透射电子显微镜",
        "600MHz核磁共振波谱仪",
    ]
    assert str(first.instruments[0].original_value) == "763.39"
    assert build_demo(seed=7) != first


def test_plan_is_rich_enough() -> None:
    plan = build_demo()
    regions = {i.region for i in plan.institutions}
    assert {
        "220100",
        "220200",
        "220300",
        "220400",
        "220500",
        "220600",
        "220700",
        "220800",
    } < regions
    assert {"222400", "RU-VVO", "BY-MSQ"} < regions
    kinds = {i.kind for i in plan.institutions}
    assert {"university", "research_institute", "hospital", "enterprise"} <= kinds
    values = [r.original_value for r in plan.instruments]
    assert min(values) >= 50 and max(values) <= 3000 and sum(v >= 1000 for v in values) >= 10
    changchun = {i.code for i in plan.institutions if i.region == "220100"}
    spectrometers = [
        r for r in plan.instruments if r.category_code == "0102" and r.institution in changchun
    ]
    assert len(spectrometers) >= 3
    modes = [r.share_mode for r in plan.instruments]
    assert modes.count("external") > len(modes) / 2


async def test_seed_writes_the_plan_once(demo: Database) -> None:
    plan = build_demo()
    assert await seed_demo(demo) is False
    counts = await demo.fetchrow(
        """SELECT (SELECT count(*) FROM institution WHERE code = ANY($1)) AS institutions,
                  (SELECT count(*) FROM instrument i JOIN institution s ON s.id = i.institution_id
                    WHERE s.code = ANY($1)) AS instruments,
                  (SELECT count(*) FROM booking_policy p JOIN institution s ON s.id = p.institution_id
                    WHERE s.code = ANY($1)) AS policies""",
        DEMO_CODES,
    )
    assert counts is not None
    assert (counts["institutions"], counts["instruments"], counts["policies"]) == (41, 395, 41)
    jlu = await demo.fetch(
        """SELECT i.name_zh, i.model FROM instrument i JOIN institution s ON s.id = i.institution_id
           WHERE s.code = 'jlu' ORDER BY i.id""",
    )
    expected = [(r.name_zh, r.model) for r in plan.instruments if r.institution == "jlu"]
    assert [(r["name_zh"], r["model"]) for r in jlu] == expected


async def test_demo_users_and_roles(demo: Database) -> None:
    rows = await demo.fetch(
        """SELECT u.email, u.language, u.is_platform_admin, s.code,
                  (SELECT count(*) FROM institution_admin a WHERE a.user_id = u.id) AS admin_of,
                  ARRAY(SELECT i.category_code FROM instrument_manager m
                        JOIN instrument i ON i.id = m.instrument_id WHERE m.user_id = u.id) AS managed
           FROM app_user u JOIN institution s ON s.id = u.institution_id
           WHERE u.email = ANY($1)""",
        [u.email for u in DEMO_USERS],
    )
    users = {r["email"]: r for r in rows}
    assert len(users) == 5
    assert users["admin@demo.instrument-share.org"]["is_platform_admin"]
    assert users["inst-admin@jlu.demo.instrument-share.org"]["admin_of"] == 1
    managed = users["manager@jlu.demo.instrument-share.org"]["managed"]
    assert len(managed) == 6 and "0102" in managed
    assert users["researcher@yanbian.demo.instrument-share.org"]["code"] == "yanbian"
    assert {r["language"] for r in rows} == {"zh-CN", "en"}


async def test_demo_password_works(demo: Database) -> None:
    from service.accounts.passwords import verify_password

    stored = await demo.fetchval(
        "SELECT password_hash FROM app_user WHERE email = 'researcher@ciac.demo.instrument-share.org'"
    )
    assert await verify_password(stored, "demo-password")
    assert not await verify_password(stored, "wrong-password")


async def test_acceptance_query_finds_changchun_mass_spectrometers(
    demo: Database, client: httpx.AsyncClient
) -> None:
    demo_ms = {
        r["id"]
        for r in await demo.fetch(
            """SELECT i.id FROM instrument i JOIN institution s ON s.id = i.institution_id
               WHERE s.code = ANY($1) AND s.region_code = '220100' AND i.category_code = '0102'
                 AND i.retired_at IS NULL""",
            DEMO_CODES,
        )
    }
    assert len(demo_ms) >= 3
    for q in ("质谱", "mass spectrometer"):
        params = {"region": "220100", "category": "01", "q": q, "page_size": 200}
        response = await client.get("/api/v1/instruments", params=params)
        assert response.status_code == 200
        body = response.json()
        ids = {item["id"] for item in body["items"]}
        assert demo_ms <= ids, q
        assert body["total"] == len(body["items"]) >= len(demo_ms)
        for item in body["items"]:
            assert item["region_code"] == "220100" and item["category_code"].startswith("01")
            assert item["timezone"] == "Asia/Shanghai"
        # Relevance first: names containing the words before matches in specs only.
        in_name = [
            all(w in f"{i['name_zh']} {i['name_en']}".lower() for w in q.split())
            for i in body["items"]
        ]
        assert in_name == sorted(in_name, reverse=True), q
        if q == "质谱":  # also found in the specs of e.g. thermal analysers coupled to an MS
            assert not all(in_name)
        assert body["items"][0]["category_code"] == "0102"
