"""Property-style check: over random sessions in several zones, every grouping of the API equals
a direct computation from the sessions in Python (split at local midnights with zoneinfo)."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from service.db import Database
from service.metrics.rollup import rebuild
from tests.factories import make_institution, make_instrument, make_user
from tests.metrics_support import add_session, ensure_berlin

#: Edges inside months (a month's tail and head), whole months only, days strictly inside one
#: month, and a range over a year end that mixes all of them.
RANGES = [
    (date(2026, 2, 15), date(2026, 4, 5)),
    (date(2026, 2, 1), date(2026, 5, 1)),
    (date(2026, 3, 10), date(2026, 3, 20)),
    (date(2025, 12, 20), date(2026, 3, 3)),
    (date(2025, 12, 20), date(2027, 1, 1)),
]
GROUPS = ("instrument", "institution", "region", "category", "month", "year")


def pieces(start: datetime, end: datetime, tz: ZoneInfo) -> dict[date, float]:
    out: dict[date, float] = {}
    d = start.astimezone(tz).date()
    while True:
        lo = datetime.combine(d, time(0), tzinfo=tz)
        hi = datetime.combine(d + timedelta(days=1), time(0), tzinfo=tz)
        if lo >= end:
            return out
        secs = (min(end, hi) - max(start, lo)).total_seconds()
        if secs > 0:
            out[d] = secs
        d += timedelta(days=1)


@pytest.mark.parametrize(("seed", "span"), [(1, 0), (2, 1), (3, 2), (4, 3), (5, 4), (6, 2)])
async def test_api_equals_direct_computation(
    client: httpx.AsyncClient, db: Database, seed: int, span: int
) -> None:
    rnd = random.Random(seed)
    FROM, TO = RANGES[span]  # noqa: N806
    berlin = await ensure_berlin(db)
    owners = [
        await make_institution(db, region="220100"),
        await make_institution(db, region="222400"),
        await make_institution(db, region=berlin),
    ]
    users = [*owners, await make_institution(db, region="RU-VVO")]
    zone = {
        "220100": "Asia/Shanghai",
        "222400": "Asia/Shanghai",
        berlin: "Europe/Berlin",
        "RU-VVO": "Asia/Vladivostok",
    }
    region_of = dict(zip(users, ["220100", "222400", berlin, "RU-VVO"], strict=True))
    instruments: dict[int, tuple[int, str]] = {}
    for owner in owners:
        for category in rnd.sample(["0101", "0102", "0201", "1301"], 2):
            instruments[await make_instrument(db, owner, category=category)] = (owner, category[:2])
    admin = await make_user(db, owners[0], admin_of=owners)

    sessions: list[Any] = []
    base = datetime(2025, 12, 15, tzinfo=ZoneInfo("UTC"))
    while len(sessions) < 80:
        inst = rnd.choice(list(instruments))
        user_inst = rnd.choice(users)
        start = base + timedelta(minutes=rnd.randrange(0, 120 * 24 * 60, 15))
        end = start + timedelta(minutes=rnd.randrange(10, 60 * 30, 5))
        if any(i == inst and s < end and start < e for i, _, s, e in sessions):
            continue  # sessions of one instrument never overlap (a database constraint)
        await add_session(db, inst, user_inst, start, end)
        sessions.append((inst, user_inst, start, end))
    await rebuild(db, date(2025, 12, 1), date(2027, 1, 1), list(instruments))

    expected: dict[str, dict[str, dict[str, float]]] = {
        g: defaultdict(lambda: defaultdict(float)) for g in GROUPS
    }
    ext_insts: dict[str, dict[str, set[int]]] = {g: defaultdict(set) for g in GROUPS}
    for inst, user_inst, start, end in sessions:
        owner, cat = instruments[inst]
        tz = ZoneInfo(zone[region_of[owner]])
        for day, secs in pieces(start, end, tz).items():
            if not FROM <= day < TO:
                continue
            keys = {
                "instrument": str(inst),
                "institution": str(owner),
                "region": region_of[owner],
                "category": cat,
                "month": f"{day:%Y-%m}",
                "year": f"{day:%Y}",
            }
            for g, k in keys.items():
                e = expected[g][k]
                e["effective_hours"] += secs
                if user_inst != owner:
                    e["external_hours"] += secs
                    ext_insts[g][k].add(user_inst)
                else:
                    e["internal_hours"] += secs
                if region_of[user_inst] != region_of[owner]:
                    e["cross_region_hours"] += secs

    for g in GROUPS:
        r = await client.get(
            "/api/v1/metrics/sharing",
            params={"from": str(FROM), "to": str(TO), "group_by": g, "page_size": 200},
            headers=admin.headers,
        )
        assert r.status_code == 200, r.text
        rows = {row["key"]: row for row in r.json()["rows"]}
        for key, figures in expected[g].items():
            for name, secs in figures.items():
                assert rows[key][name] == pytest.approx(secs / 3600, abs=0.006), (g, key, name)
            assert rows[key]["external_institutions"] == len(ext_insts[g][key]), (g, key)
        for key, row in rows.items():
            if key not in expected[g]:
                assert row["effective_hours"] == 0, (g, key)
        total = sum(f["effective_hours"] for f in expected["instrument"].values()) / 3600
        assert r.json()["totals"]["effective_hours"] == pytest.approx(total, abs=0.006)
