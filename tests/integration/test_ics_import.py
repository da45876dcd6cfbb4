"""Importing a manager's `.ics` file as maintenance blocks, through the API."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from service.common.time import utcnow
from service.db import Database
from service.metrics.rollup import rebuild
from tests.calendars_support import insert_booking
from tests.factories import make_institution, make_instrument, make_user

ICS = "text/calendar"


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _calendar(*events: str) -> bytes:
    body = "".join(f"BEGIN:VEVENT\r\nDTSTAMP:20260101T000000Z\r\n{e}END:VEVENT\r\n" for e in events)
    return (
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{body}END:VCALENDAR\r\n".encode()
    )


async def _setup(db: Database) -> tuple[int, Any, Any, Any]:
    inst = await make_institution(db)  # Changchun: Asia/Shanghai
    instrument = await make_instrument(db, inst)
    manager = await make_user(db, inst, manages=[instrument])
    researcher = await make_user(db, await make_institution(db))
    outsider_admin = await make_user(db, await make_institution(db), admin_of=[])
    return instrument, manager, researcher, outsider_admin


async def _blocks(db: Database, instrument: int) -> list[tuple[datetime, datetime, str]]:
    rows = await db.fetch(
        """SELECT starts_at, ends_at, purpose FROM booking
           WHERE instrument_id = $1 AND kind = 'maintenance' AND status = 'confirmed'
             AND occupied_until = ends_at ORDER BY starts_at""",
        instrument,
    )
    return [(r["starts_at"], r["ends_at"], r["purpose"]) for r in rows]


async def test_dry_run_then_real_import_with_weekly_rule_and_conflicts(
    client: httpx.AsyncClient, db: Database
) -> None:
    instrument, manager, researcher, _ = await _setup(db)
    first = (utcnow() + timedelta(days=3)).replace(
        hour=1, minute=0, second=0, microsecond=0
    )  # 09:00 Shanghai
    busy = await insert_booking(
        db,
        instrument,
        researcher.id,
        first + timedelta(days=7, minutes=30),
        first + timedelta(days=7, hours=1, minutes=30),
    )
    ics = _calendar(
        f"UID:weekly-1\r\nSUMMARY:每周清洁 weekly cleaning\r\nDTSTART:{_stamp(first)}\r\n"
        f"DTEND:{_stamp(first + timedelta(hours=2))}\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\n",
        f"UID:once-1\r\nSUMMARY:Vendor visit\r\nDTSTART;TZID=Asia/Shanghai:{(first + timedelta(days=2, hours=8)).strftime('%Y%m%dT%H%M%S')}\r\n"
        f"DURATION:PT3H\r\n",
        "UID:broken-1\r\nSUMMARY:no end\r\nDTSTART:20270101T000000Z\r\nDTEND:20261231T000000Z\r\n",
    )
    url = f"/api/v1/instruments/{instrument}/calendar/import"
    dry = await client.post(
        url + "?dry_run=true", content=ics, headers={**manager.headers, "Content-Type": ICS}
    )
    assert dry.status_code == 200, dry.text
    report = dry.json()
    assert report["dry_run"] is True and report["created"] == 0
    outcomes = [(e["uid"], e["outcome"]) for e in report["events"] if e["uid"] != "broken-1"]
    assert outcomes == [
        ("weekly-1", "would_create"),
        ("once-1", "would_create"),
        ("weekly-1", "conflict"),
        ("weekly-1", "would_create"),
        ("weekly-1", "would_create"),
    ]
    conflict = next(e for e in report["events"] if e["outcome"] == "conflict")
    assert conflict["conflicts"] == [
        {
            "kind": "booking",
            "booking_id": busy,
            "start": (first + timedelta(days=7, minutes=30)).isoformat().replace("+00:00", "Z"),
            "end": (first + timedelta(days=7, hours=1, minutes=30))
            .isoformat()
            .replace("+00:00", "Z"),
        }
    ]
    assert await _blocks(db, instrument) == []

    real = await client.post(url, content=ics, headers={**manager.headers, "Content-Type": ICS})
    assert real.status_code == 200
    assert real.json()["created"] == 4, real.json()
    assert real.json()["conflicting"] == 1
    blocks = await _blocks(db, instrument)
    assert len(blocks) == 4
    assert blocks[0] == (first, first + timedelta(hours=2), "每周清洁 weekly cleaning")
    assert blocks[1][0] == first + timedelta(days=2) and blocks[1][1] - blocks[1][0] == timedelta(
        hours=3
    )
    assert [b[0] for b in blocks[2:]] == [first + timedelta(days=14), first + timedelta(days=21)]

    again = await client.post(url, content=ics, headers={**manager.headers, "Content-Type": ICS})
    assert again.json()["created"] == 0 and len(await _blocks(db, instrument)) == 4


async def test_multipart_upload_and_overlaps_within_the_file(
    client: httpx.AsyncClient, db: Database
) -> None:
    instrument, manager, _, _ = await _setup(db)
    start = (utcnow() + timedelta(days=5)).replace(minute=0, second=0, microsecond=0)
    ics = _calendar(
        f"UID:a\r\nSUMMARY:A\r\nDTSTART:{_stamp(start)}\r\nDTEND:{_stamp(start + timedelta(hours=2))}\r\n",
        f"UID:b\r\nSUMMARY:B\r\nDTSTART:{_stamp(start + timedelta(hours=1))}\r\nDTEND:{_stamp(start + timedelta(hours=3))}\r\n",
    )
    response = await client.post(
        f"/api/v1/instruments/{instrument}/calendar/import",
        files={"file": ("maintenance.ics", ics, ICS)},
        headers=manager.headers,
    )
    assert response.status_code == 200, response.text
    events = {e["uid"]: e for e in response.json()["events"]}
    assert events["a"]["outcome"] == "created" and events["b"]["outcome"] == "conflict"
    assert events["b"]["conflicts"][0]["kind"] == "import"


async def test_import_refusals(client: httpx.AsyncClient, db: Database) -> None:
    instrument, manager, researcher, outsider = await _setup(db)
    url = f"/api/v1/instruments/{instrument}/calendar/import"
    good = _calendar("UID:x\r\nSUMMARY:x\r\nDTSTART:20270101T000000Z\r\nDTEND:20270101T010000Z\r\n")
    for who in (researcher, outsider):
        response = await client.post(
            url, content=good, headers={**who.headers, "Content-Type": ICS}
        )
        assert response.status_code == 403
    assert (await client.post(url, content=good, headers={"Content-Type": ICS})).status_code == 401
    missing = await client.post(
        f"/api/v1/instruments/{2**40}/calendar/import",
        content=good,
        headers={**manager.headers, "Content-Type": ICS},
    )
    assert missing.status_code == 404
    malformed = [
        b"",
        b"not a calendar at all",
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:garbage\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        b"\xff\xfe\x00binary",
        _calendar(
            "UID:r\r\nDTSTART:20270101T000000Z\r\nDTEND:20270101T010000Z\r\nRRULE:FREQ=SOMETIMES\r\n"
        ),
        _calendar(
            "UID:r\r\nDTSTART:20270101T000000Z\r\nDTEND:20270101T000001Z\r\nRRULE:FREQ=MINUTELY\r\n"
        ),
        _calendar(  # used to spend half a minute of CPU expanding before the cap applied
            "UID:s\r\nDTSTART:20270601T000000Z\r\nDTEND:20270601T000001Z\r\n"
            "RRULE:FREQ=SECONDLY;COUNT=999999999\r\n"
        ),
    ]
    for body in malformed:
        response = await client.post(
            url, content=body, headers={**manager.headers, "Content-Type": ICS}
        )
        assert response.status_code == 422, (body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    for query in ("days=0", "days=367", "dry_run=maybe"):
        bad = await client.post(
            f"{url}?{query}", content=good, headers={**manager.headers, "Content-Type": ICS}
        )
        assert bad.status_code == 422, query
    too_big = await client.post(
        url, content=b"x" * (1_048_576 + 1), headers={**manager.headers, "Content-Type": ICS}
    )
    assert too_big.status_code == 413
    assert await _blocks(db, instrument) == []


async def _import(
    client: httpx.AsyncClient, instrument: int, headers: dict[str, str], kind: str, ics: bytes
) -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/instruments/{instrument}/calendar/import?kind={kind}",
        content=ics,
        headers={**headers, "Content-Type": ICS},
    )
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    return report


async def _day(db: Database, instrument: int, day: date) -> tuple[int, int]:
    await rebuild(db, day, day + timedelta(days=1), [instrument])
    row = await db.fetchrow(
        "SELECT available_s, booked_s FROM usage_daily WHERE instrument_id = $1 AND day = $2",
        instrument,
        day,
    )
    return (int(row["available_s"]), int(row["booked_s"])) if row else (0, 0)


async def test_the_manager_chooses_whether_imported_events_are_maintenance_internal_use_or_closed(
    client: httpx.AsyncClient, db: Database
) -> None:
    """Maintenance is downtime (out of the available hours), internal use keeps the time
    available and counts as booked, a closure closes whole days."""
    zone = ZoneInfo("Asia/Shanghai")
    day = (utcnow().astimezone(zone) + timedelta(days=10)).date()
    nine = datetime.combine(day, time(9), tzinfo=zone)
    one_hour = f"DTSTART:{_stamp(nine)}\r\nDTEND:{_stamp(nine + timedelta(hours=1))}\r\n"
    kinds: dict[str, tuple[int, int]] = {}
    for kind in ("maintenance", "internal"):
        instrument, manager, _, _ = await _setup(db)
        report = await _import(
            client, instrument, manager.headers, kind, _calendar(f"UID:{kind}\r\n{one_hour}")
        )
        assert report["created"] == 1
        kinds[kind] = await _day(db, instrument, day)
        stored = await db.fetchrow(
            "SELECT kind, user_id, status FROM booking WHERE instrument_id = $1", instrument
        )
        assert stored is not None
        assert stored["status"] == "confirmed"
        assert stored["kind"] == ("maintenance" if kind == "maintenance" else "booking")
    assert kinds["maintenance"] == (23 * 3600, 0), "maintenance is downtime"
    assert kinds["internal"] == (24 * 3600, 3600), "internal use is available and booked"

    instrument, manager, _, _ = await _setup(db)
    whole = (
        f"UID:closed\r\nDTSTART;VALUE=DATE:{day.strftime('%Y%m%d')}\r\n"
        f"DTEND;VALUE=DATE:{(day + timedelta(days=2)).strftime('%Y%m%d')}\r\n"
    )
    report = await _import(
        client, instrument, manager.headers, "closed",
        _calendar(whole, f"UID:partial\r\n{one_hour}"),
    )  # fmt: skip
    outcomes = {e["uid"]: e["outcome"] for e in report["events"]}
    assert outcomes == {"closed": "created", "partial": "invalid"}
    days = await db.fetch(
        "SELECT day FROM calendar_exception WHERE instrument_id = $1 AND opens IS NULL "
        "ORDER BY day",
        instrument,
    )
    assert [r["day"] for r in days] == [day, day + timedelta(days=1)]
    assert await _day(db, instrument, day) == (0, 0), "a closed day has no available hours"
    assert (
        await db.fetchval("SELECT count(*) FROM booking WHERE instrument_id = $1", instrument) == 0
    )
