"""Shared helpers for the calendar tests: bookings written with SQL (as the booking engine
would), feeds created through the API, and the two independent parsers the feeds must satisfy."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import icalendar
import pytest

from service.db import Database
from tests.factories import make_institution

ROOT = Path(__file__).resolve().parent.parent
ICALJS_SCRIPT = ROOT / "tests" / "js" / "parse_ics.mjs"
NYC = "TEST-NYC"
NEW_YORK = ZoneInfo("America/New_York")


async def nyc_institution(db: Database) -> int:
    await db.execute(
        """INSERT INTO region (code, name_zh, name_en, timezone)
           VALUES ($1, '纽约(测试)', 'New York (test)', 'America/New_York')
           ON CONFLICT (code) DO NOTHING""",
        NYC,
    )
    return await make_institution(db, region=NYC)


async def insert_booking(
    db: Database,
    instrument_id: int,
    user_id: int,
    start: datetime,
    end: datetime,
    *,
    status: str = "confirmed",
    kind: str = "booking",
    purpose: str = "",
    service_way: str = "occupy",
) -> int:
    return int(
        await db.fetchval(
            """INSERT INTO booking (kind, instrument_id, user_id, starts_at, ends_at, occupied_until,
                                    status, purpose, service_way, booker_institution_id,
                                    booker_region_code)
               SELECT $1, $2, u.id, $4, $5, $5, $6, $7, $8, u.institution_id, n.region_code
               FROM app_user u JOIN institution n ON n.id = u.institution_id WHERE u.id = $3
               RETURNING id""",
            kind,
            instrument_id,
            user_id,
            start,
            end,
            status,
            purpose,
            service_way,
        )
    )


async def change_booking(db: Database, booking_id: int, **columns: Any) -> None:
    """A change as the booking engine makes it: version + 1 and updated_at = now()."""
    if "ends_at" in columns:
        columns["occupied_until"] = columns["ends_at"]
    sets = ", ".join(f"{name} = ${i}" for i, name in enumerate(columns, start=2))
    await db.execute(
        f"UPDATE booking SET {sets}, version = version + 1, updated_at = clock_timestamp() "
        "WHERE id = $1",
        booking_id,
        *columns.values(),
    )


async def new_feed(
    client: httpx.AsyncClient, headers: dict[str, str], **body: Any
) -> dict[str, Any]:
    response = await client.post("/api/v1/feeds", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


def feed_path(feed: dict[str, Any]) -> str:
    return str(feed["url"]).removeprefix("http://testserver")


def local(day: date, hour: int, minute: int = 0, tz: ZoneInfo = NEW_YORK) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=tz)


def dst_transitions(tz: ZoneInfo, after: date) -> tuple[date, date]:
    """The next spring-forward and fall-back dates in `tz` after `after`."""
    found: dict[str, date] = {}
    day = after
    while len(found) < 2:
        before = datetime.combine(day, time(12), tzinfo=tz).utcoffset()
        nxt = datetime.combine(day + timedelta(days=1), time(12), tzinfo=tz).utcoffset()
        assert before is not None and nxt is not None
        if nxt > before:
            found.setdefault("spring", day + timedelta(days=1))
        elif nxt < before:
            found.setdefault("fall", day + timedelta(days=1))
        day += timedelta(days=1)
    return found["spring"], found["fall"]


@dataclass
class ParsedEvent:
    uid: str
    status: str
    sequence: int
    start: datetime
    end: datetime
    summary: str


def parse_with_icalendar(body: bytes) -> dict[str, ParsedEvent]:
    cal = icalendar.Calendar.from_ical(body.decode("utf-8"))
    events: dict[str, ParsedEvent] = {}
    for event in cal.walk("VEVENT"):
        start, end = event.decoded("dtstart"), event.decoded("dtend")
        assert start.tzinfo is not None and end.tzinfo is not None
        uid = str(event["uid"])
        events[uid] = ParsedEvent(
            uid,
            str(event["status"]),
            int(str(event["sequence"])),
            start.astimezone(UTC),
            end.astimezone(UTC),
            str(event["summary"]),
        )
    return events


def parse_with_icaljs(body: bytes) -> dict[str, ParsedEvent]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the ical.js check needs it")
    if not (ROOT / "node_modules" / "ical.js").is_dir():
        pytest.skip("node_modules/ical.js is missing: run `npm install` in the project root")
    done = subprocess.run(
        [node, str(ICALJS_SCRIPT)], input=body, capture_output=True, check=True, cwd=ROOT
    )
    events: dict[str, ParsedEvent] = {}
    for item in json.loads(done.stdout):
        events[item["uid"]] = ParsedEvent(
            item["uid"],
            item["status"],
            int(item["sequence"]),
            datetime.fromisoformat(item["start_utc"]),
            datetime.fromisoformat(item["end_utc"]),
            item["summary"],
        )
    return events


def uid(booking_id: int) -> str:
    return f"booking-{booking_id}@instrument-share"


async def mismatches(db: Database, body: bytes, booking_ids: list[int]) -> list[str]:
    """Every event whose instants differ from the database, in either parser; [] is success."""
    rows = await db.fetch(
        "SELECT id, starts_at, ends_at FROM booking WHERE id = ANY($1::bigint[])", booking_ids
    )
    truth = {uid(r["id"]): (r["starts_at"], r["ends_at"]) for r in rows}
    problems: list[str] = []
    for parser, parsed in (
        ("icalendar", parse_with_icalendar(body)),
        ("ical.js", parse_with_icaljs(body)),
    ):
        for key, (start, end) in truth.items():
            event = parsed.get(key)
            if event is None:
                problems.append(f"{parser}: {key} missing")
            elif (event.start, event.end) != (start, end):
                problems.append(f"{parser}: {key} {event.start}–{event.end} != {start}–{end}")
    return problems


REQUIRED_CALENDAR = (
    "PRODID",
    "VERSION",
    "NAME",
    "X-WR-CALNAME",
    "REFRESH-INTERVAL",
    "X-PUBLISHED-TTL",
)
REQUIRED_EVENT = (
    "UID",
    "DTSTAMP",
    "DTSTART",
    "DTEND",
    "SEQUENCE",
    "LAST-MODIFIED",
    "SUMMARY",
    "LOCATION",
    "DESCRIPTION",
    "URL",
    "STATUS",
)


def assert_well_formed(body: bytes, method: str | None = None) -> None:
    """CRLF only, ≤ 75 octets a line, UTF-8, required properties, UTC only, no VTIMEZONE;
    METHOD only on iTIP messages (`method`), never on feeds and downloads."""
    assert body.endswith(b"\r\n")
    lines = body.split(b"\r\n")[:-1]
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    assert max(len(line) for line in lines) <= 75
    body.decode("utf-8")
    assert b"VTIMEZONE" not in body and b"TZID" not in body and b"X-WR-TIMEZONE" not in body
    cal = icalendar.Calendar.from_ical(body.decode("utf-8"))
    for name in REQUIRED_CALENDAR if method is None else ("PRODID", "VERSION", "METHOD"):
        assert name in cal, name
    assert str(cal.get("METHOD")) == str(method) and str(cal["VERSION"]) == "2.0"
    for event in cal.walk("VEVENT"):
        for name in REQUIRED_EVENT:
            assert name in event, name
        for name in ("DTSTART", "DTEND", "DTSTAMP", "LAST-MODIFIED"):
            assert event[name].to_ical().endswith(b"Z"), name  # type: ignore[arg-type]
