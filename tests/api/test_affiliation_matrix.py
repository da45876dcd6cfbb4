"""Affiliation states x instrument share modes x fees x metrics: only a verified membership in
force makes a user belong to an institution, for every rule that depends on belonging."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from service.db import Database
from service.metrics.rollup import rebuild
from tests.bookings_support import book, future_day, local, set_policy
from tests.factories import UserHandle, make_institution, make_instrument, make_user

FEES = {"internal": Decimal("200.00"), "external_academic": Decimal("300.00"),
        "enterprise": Decimal("500.00")}  # fmt: skip


@dataclass
class Case:
    name: str
    user: UserHandle
    #: The fee class and status a booking of an externally shared instrument gets.
    fee_class: str
    status: str
    #: May book an instrument shared internally only.
    internal_access: bool


async def _set_state(db: Database, user: UserHandle, state: str) -> None:
    """Move the user's membership to `state`; `ended` is verified with an end in the past."""
    if state == "ended":
        await db.execute(
            "UPDATE membership SET ends_at = now() - interval '1 day' WHERE user_id = $1",
            user.id,
        )
    else:
        await db.execute(
            "UPDATE membership SET state = $2, decided_at = now() WHERE user_id = $1",
            user.id,
            state,
        )


async def _cases(db: Database, owner: int) -> list[Case]:
    other = await make_institution(db)
    company = await make_institution(db, kind="enterprise")
    member = await make_user(db, owner)
    claimant = await make_user(db, owner, verified=False)
    rejected = await make_user(db, owner)
    revoked = await make_user(db, owner)
    ended = await make_user(db, owner)
    for user, state in ((rejected, "rejected"), (revoked, "revoked"), (ended, "ended")):
        await _set_state(db, user, state)
    outsider = await make_user(db, other)
    outside_claimant = await make_user(db, other, verified=False)
    employee = await make_user(db, company)
    company_claimant = await make_user(db, company, verified=False)
    unproven = ("enterprise", "pending", False)
    return [
        Case("verified member", member, "internal", "confirmed", True),
        Case("claimant of the owner", claimant, *unproven),
        Case("rejected claimant", rejected, *unproven),
        Case("revoked member", revoked, *unproven),
        Case("membership ended", ended, *unproven),
        Case("verified outsider", outsider, "external_academic", "pending", False),
        Case("claimant elsewhere", outside_claimant, *unproven),
        Case("verified enterprise user", employee, "enterprise", "pending", False),
        Case("enterprise claimant", company_claimant, *unproven),
    ]


@pytest.fixture
async def owner(db: Database) -> int:
    return await make_institution(db)


async def _instrument(db: Database, owner: int, share_mode: str) -> int:
    instrument = await make_instrument(db, owner, share_mode=share_mode)
    await set_policy(
        db,
        instrument,
        min_notice_minutes=0,
        approval="external",
        fee_internal=FEES["internal"],
        fee_external_academic=FEES["external_academic"],
        fee_enterprise=FEES["enterprise"],
    )
    return instrument


async def test_bookings_follow_verified_membership_in_every_share_mode(
    client: httpx.AsyncClient, db: Database, owner: int
) -> None:
    cases = await _cases(db, owner)
    day = future_day(10)
    for mode in ("external", "internal", "none"):
        instrument = await _instrument(db, owner, mode)
        for hour, case in enumerate(cases, start=8):
            start = local(day, hour)
            r = await book(client, case.user, instrument, start, start + timedelta(hours=1))
            allowed = mode == "external" or (mode == "internal" and case.internal_access)
            if not allowed:
                assert r.status_code == 422, (mode, case.name, r.text)
                assert {v["rule"] for v in r.json()["violations"]} == {"share_mode"}
                continue
            assert r.status_code == 201, (mode, case.name, r.text)
            got = r.json()
            fee = FEES[case.fee_class]
            assert (
                got["fee_class"],
                got["status"],
                Decimal(str(got["fee_per_hour"])),
                Decimal(str(got["estimated_cost"])),
            ) == (case.fee_class, case.status, fee, fee), (mode, case.name)
            assert got["is_external"] is (case.fee_class != "internal"), case.name


async def test_unverified_claimant_is_told_why_an_internal_instrument_is_closed(
    client: httpx.AsyncClient, db: Database, owner: int
) -> None:
    instrument = await _instrument(db, owner, "internal")
    claimant = await make_user(db, owner, verified=False, language="en")
    start = local(future_day(9), 9)
    r = await book(client, claimant, instrument, start, start + timedelta(hours=1))
    assert r.status_code == 422
    assert "not verified" in r.json()["violations"][0]["message"]


async def test_approval_none_still_holds_an_unverified_booking_for_approval(
    client: httpx.AsyncClient, db: Database, owner: int
) -> None:
    instrument = await _instrument(db, owner, "external")
    await set_policy(db, instrument, approval="none")
    claimant = await make_user(db, owner, verified=False)
    member = await make_user(db, owner)
    start = local(future_day(9), 9)
    mine = await book(client, member, instrument, start, start + timedelta(hours=1))
    theirs = await book(
        client, claimant, instrument, start + timedelta(hours=2), start + timedelta(hours=3)
    )
    assert (mine.json()["status"], theirs.json()["status"]) == ("confirmed", "pending")


async def _record(
    client: httpx.AsyncClient, manager: UserHandle, instrument: int, user: UserHandle, hours: int
) -> dict[str, object]:
    start = datetime(2025, 5, 1 + hours, 1, tzinfo=UTC)  # one day per length: disjoint
    r = await client.post(
        f"/api/v1/instruments/{instrument}/usage",
        json={
            "user_id": user.id,
            "start": start.isoformat(),
            "end": (start + timedelta(hours=hours)).isoformat(),
        },
        headers=manager.headers,
    )
    assert r.status_code == 201, r.text
    body: dict[str, object] = r.json()
    return body


async def test_figures_count_external_use_only_by_verified_affiliation(
    client: httpx.AsyncClient, db: Database, owner: int
) -> None:
    instrument = await _instrument(db, owner, "external")
    manager = await make_user(db, owner, manages=[instrument])
    admin = await make_user(db, owner, admin_of=[owner])
    other = await make_institution(db, region="222400")
    member = await make_user(db, owner)
    outsider = await make_user(db, other)
    claimant_here = await make_user(db, owner, verified=False)
    claimant_there = await make_user(db, other, verified=False)
    sessions = {
        "member": await _record(client, manager, instrument, member, 1),
        "outsider": await _record(client, manager, instrument, outsider, 2),
        "claimant here": await _record(client, manager, instrument, claimant_here, 3),
    }
    # Recorded while unverified: verifying the account later does not rewrite the snapshot.
    await db.execute(
        "UPDATE membership SET state = 'verified', method = 'admin', decided_at = now() "
        "WHERE user_id = $1",
        claimant_here.id,
    )
    start = datetime(2025, 5, 9, 1, tzinfo=UTC)
    r = await client.post(
        f"/api/v1/instruments/{instrument}/usage",
        json={"user_id": claimant_there.id, "start": start.isoformat(),
              "end": (start + timedelta(hours=4)).isoformat()},
        headers=manager.headers,
    )  # fmt: skip
    assert r.status_code == 201
    assert [s["affiliation_verified"] for s in sessions.values()] == [True, True, False]
    assert r.json()["affiliation_verified"] is False and r.json()["is_external"] is True
    assert sessions["claimant here"]["is_external"] is True

    await rebuild(db, date(2025, 5, 1), date(2025, 6, 1), [instrument])
    for group_by in ("instrument", "month"):
        body = (
            await client.get(
                "/api/v1/metrics/sharing",
                params={"from": "2025-05-01", "to": "2025-06-01", "group_by": group_by,
                        "institution": owner},
                headers=admin.headers,
            )
        ).json()  # fmt: skip
        t = body["totals"]
        assert (t["effective_hours"], t["internal_hours"], t["external_hours"]) == (10, 1, 2)
        assert t["unverified_external_hours"] == 7
        assert t["cross_region_hours"] == 2  # the unverified claimant elsewhere is not counted
        assert t["sharing_rate"] == round(2 / 10, 4)
        assert t["external_institutions"] == 1
    csv = await client.get(
        "/api/v1/metrics/sharing.csv",
        params={"from": "2025-05-01", "to": "2025-06-01", "institution": owner},
        headers=admin.headers,
    )
    header, row = csv.text.lstrip("\ufeff").splitlines()[:2]
    columns = header.split(",")
    assert "unverified_external_hours" in columns
    assert row.split(",")[columns.index("unverified_external_hours")] == "7.0"


async def test_a_part_of_a_month_reads_the_unverified_line_from_running_totals(
    client: httpx.AsyncClient, db: Database, owner: int
) -> None:
    instrument = await _instrument(db, owner, "external")
    manager = await make_user(db, owner, manages=[instrument], admin_of=[owner])
    claimant = await make_user(db, owner, verified=False)
    await _record(client, manager, instrument, claimant, 2)
    await rebuild(db, date(2025, 5, 1), date(2025, 6, 1), [instrument])
    body = (
        await client.get(
            "/api/v1/metrics/sharing",
            params={"from": "2025-05-02", "to": "2025-05-20", "group_by": "instrument",
                    "institution": owner},
            headers=manager.headers,
        )
    ).json()  # fmt: skip
    assert body["totals"]["unverified_external_hours"] == 2
    assert body["totals"]["external_hours"] == 0 and body["totals"]["internal_hours"] == 0
