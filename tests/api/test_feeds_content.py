"""What the feeds contain: exact instants in two parsers (DST included), structure, UID and
SEQUENCE behaviour, per-scope content, and the single-booking download."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import icalendar

from service.common.time import utcnow
from service.db import Database
from tests.calendars_support import (
    NEW_YORK,
    assert_well_formed,
    change_booking,
    dst_transitions,
    feed_path,
    insert_booking,
    local,
    mismatches,
    new_feed,
    nyc_institution,
    parse_with_icalendar,
    parse_with_icaljs,
    uid,
)
from tests.factories import make_institution, make_instrument, make_user

WIDE = "?past_days=366&future_days=730"


async def _dst_fixture(db: Database) -> dict[str, Any]:
    """Bookings in New York around both DST transitions, in summer and winter, across midnight,
    plus one in Changchun, by a researcher, on an instrument with a manager and an admin."""
    nyc = await nyc_institution(db)
    instrument = await make_instrument(
        db,
        nyc,
        name_zh="纽约质谱仪",
        name_en="NYC mass spectrometer",
        building="实验楼 B",
        room="101",
    )
    manager = await make_user(db, nyc, manages=[instrument], language="en")
    admin = await make_user(db, nyc, admin_of=[nyc])
    researcher = await make_user(db, await make_institution(db))
    spring, fall = dst_transitions(NEW_YORK, utcnow().date() + timedelta(days=2))
    intervals = [
        (
            local(spring - timedelta(days=1), 10),
            local(spring - timedelta(days=1), 12),
        ),  # winter side
        (local(spring, 1), local(spring, 4)),  # across the spring-forward gap
        (
            local(spring + timedelta(days=1), 10),
            local(spring + timedelta(days=1), 12),
        ),  # summer side
        (local(fall - timedelta(days=1), 10), local(fall - timedelta(days=1), 12)),  # summer side
        (local(fall, 0, 30), local(fall, 3)),  # across the fall-back repeat
        (local(fall + timedelta(days=1), 10), local(fall + timedelta(days=1), 12)),  # winter side
        (
            local(spring + timedelta(days=120), 22),
            local(spring + timedelta(days=121), 2),
        ),  # midnight, summer
        (
            local(fall + timedelta(days=40), 23),
            local(fall + timedelta(days=41), 1, 30),
        ),  # midnight, winter
    ]
    bookings = [
        await insert_booking(
            db, instrument, researcher.id, s, e, purpose="测试：质谱分析，样品 #3; 第二行\n换行"
        )
        for s, e in intervals
    ]
    block = await insert_booking(
        db,
        instrument,
        manager.id,
        local(spring + timedelta(days=2), 8),
        local(spring + timedelta(days=2), 9),
        kind="maintenance",
        purpose="年度校准",
    )
    cc_inst = await make_institution(db)
    cc_instrument = await make_instrument(db, cc_inst)
    cc = await insert_booking(
        db,
        cc_instrument,
        researcher.id,
        datetime(2027, 1, 1, 15, 30, tzinfo=UTC),
        datetime(2027, 1, 1, 17, 0, tzinfo=UTC),
    )
    return dict(
        instrument=instrument,
        nyc=nyc,
        manager=manager,
        admin=admin,
        researcher=researcher,
        bookings=bookings,
        block=block,
        cc=cc,
    )


async def test_every_feed_kind_is_exact_in_icalendar_and_icaljs(
    client: httpx.AsyncClient, db: Database
) -> None:
    fx = await _dst_fixture(db)
    researcher, manager, admin = fx["researcher"], fx["manager"], fx["admin"]
    bookings: list[int] = fx["bookings"]
    block: int = fx["block"]
    feeds = {
        "user": (await new_feed(client, researcher.headers, scope="user"), [*bookings, fx["cc"]]),
        "instrument": (
            await new_feed(client, manager.headers, scope="instrument", target_id=fx["instrument"]),
            [*bookings, block],
        ),
        "public": (
            await new_feed(
                client,
                researcher.headers,
                scope="instrument",
                target_id=fx["instrument"],
                public=True,
            ),
            [*bookings, block],
        ),
        "institution": (
            await new_feed(client, admin.headers, scope="institution", target_id=fx["nyc"]),
            [*bookings, block],
        ),
    }
    for kind, (feed, expected) in feeds.items():
        response = await client.get(feed_path(feed) + WIDE)
        assert response.status_code == 200, kind
        assert_well_formed(response.content)
        assert await mismatches(db, response.content, expected) == [], kind
        parsed_js = parse_with_icaljs(response.content)
        assert (
            set(parsed_js)
            == set(parse_with_icalendar(response.content))
            == {uid(b) for b in expected}
        ), kind
        if kind != "user":
            assert uid(fx["cc"]) not in parsed_js


async def test_dst_instants_are_the_wall_times_booked(
    client: httpx.AsyncClient, db: Database
) -> None:
    """Independent of the database comparison: the summer booking is 10:00 EDT = 14:00Z."""
    fx = await _dst_fixture(db)
    spring, _ = dst_transitions(NEW_YORK, utcnow().date() + timedelta(days=2))
    body = (
        await client.get(
            feed_path(await new_feed(client, fx["researcher"].headers, scope="user")) + WIDE
        )
    ).content
    summer = parse_with_icaljs(body)[uid(fx["bookings"][2])]
    winter = parse_with_icaljs(body)[uid(fx["bookings"][0])]
    gap = parse_with_icaljs(body)[uid(fx["bookings"][1])]
    assert summer.start == datetime.combine(
        spring + timedelta(days=1), datetime.min.time(), UTC
    ) + timedelta(hours=14)
    assert winter.start == datetime.combine(
        spring - timedelta(days=1), datetime.min.time(), UTC
    ) + timedelta(hours=15)
    assert gap.end - gap.start == timedelta(hours=2)  # 01:00 EST → 04:00 EDT


async def test_content_language_escaping_and_links(client: httpx.AsyncClient, db: Database) -> None:
    fx = await _dst_fixture(db)
    body = (
        await client.get(
            feed_path(await new_feed(client, fx["researcher"].headers, scope="user")) + WIDE
        )
    ).content
    cal = icalendar.Calendar.from_ical(body.decode())
    assert str(cal["X-WR-CALNAME"]) == str(cal["NAME"]) == "我的仪器预约"
    assert cal["REFRESH-INTERVAL"].to_ical() == b"PT1H" and str(cal["X-PUBLISHED-TTL"]) == "PT1H"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in body
    event = next(e for e in cal.walk("VEVENT") if str(e["UID"]) == uid(fx["bookings"][0]))
    assert str(event["SUMMARY"]) == "纽约质谱仪 · 已确认"
    assert str(event["LOCATION"]).endswith("实验楼 B, 101")
    assert "用途: 测试：质谱分析，样品 #3; 第二行\n换行" in str(
        event["DESCRIPTION"]
    )  # escaped and unescaped intact
    assert f"http://testserver/bookings/{fx['bookings'][0]}" in str(event["DESCRIPTION"])
    assert str(event["URL"]) == f"http://testserver/bookings/{fx['bookings'][0]}"
    assert b"\\;" in body and b"\\n" in body
    manager_body = (
        await client.get(
            feed_path(
                await new_feed(
                    client, fx["manager"].headers, scope="instrument", target_id=fx["instrument"]
                )
            )
            + WIDE
        )
    ).content
    managed = parse_with_icalendar(manager_body)
    assert managed[uid(fx["bookings"][0])].summary.startswith(
        "NYC mass spectrometer · Confirmed · "
    )
    assert managed[uid(fx["block"])].summary == "NYC mass spectrometer · Maintenance"
    assert "Service way: Self-operated" in manager_body.decode().replace("\r\n ", "")


async def test_uid_stable_and_sequence_increases(client: httpx.AsyncClient, db: Database) -> None:
    inst = await make_institution(db)
    instrument = await make_instrument(db, inst)
    researcher = await make_user(db, inst)
    start = utcnow().replace(microsecond=0) + timedelta(days=4)
    booking = await insert_booking(
        db, instrument, researcher.id, start, start + timedelta(hours=1), status="pending"
    )
    path = feed_path(await new_feed(client, researcher.headers, scope="user"))
    first = parse_with_icaljs((await client.get(path)).content)[uid(booking)]
    again = parse_with_icaljs((await client.get(path)).content)[uid(booking)]
    assert first == again and first.status == "TENTATIVE"

    await change_booking(db, booking, status="confirmed")
    confirmed = parse_with_icaljs((await client.get(path)).content)[uid(booking)]
    await change_booking(
        db, booking, starts_at=start + timedelta(hours=2), ends_at=start + timedelta(hours=4)
    )
    moved = parse_with_icaljs((await client.get(path)).content)[uid(booking)]
    await change_booking(db, booking, status="cancelled")
    cancelled_body = (await client.get(path)).content
    assert_well_formed(cancelled_body)
    cancelled = parse_with_icaljs(cancelled_body)[uid(booking)]
    assert first.sequence < confirmed.sequence < moved.sequence < cancelled.sequence
    assert (confirmed.status, moved.status, cancelled.status) == (
        "CONFIRMED",
        "CONFIRMED",
        "CANCELLED",
    )
    assert moved.start == start + timedelta(hours=2) and moved.end == start + timedelta(hours=4)
    assert b"TRANSP:TRANSPARENT" in cancelled_body

    # Seven days after the change the cancelled booking leaves the feed.
    await db.execute(
        "UPDATE booking SET updated_at = now() - interval '8 days' WHERE id = $1", booking
    )
    assert uid(booking) not in parse_with_icalendar((await client.get(path)).content)


async def test_status_mapping(client: httpx.AsyncClient, db: Database) -> None:
    inst = await make_institution(db)
    instrument = await make_instrument(db, inst)
    researcher = await make_user(db, inst)
    base = utcnow().replace(microsecond=0) + timedelta(days=6)
    expected = {
        "held": None,
        "pending": "TENTATIVE",
        "confirmed": "CONFIRMED",
        "in_use": "CONFIRMED",
        "completed": "CONFIRMED",
        "cancelled": "CANCELLED",
        "rejected": "CANCELLED",
        "expired": "CANCELLED",
        "no_show": "CANCELLED",
    }
    ids = {}
    for i, status in enumerate(expected):
        start = base + timedelta(hours=2 * i)
        ids[status] = await insert_booking(
            db, instrument, researcher.id, start, start + timedelta(hours=1), status=status
        )
    events = parse_with_icaljs(
        (
            await client.get(feed_path(await new_feed(client, researcher.headers, scope="user")))
        ).content
    )
    for status, ical in expected.items():
        assert (events[uid(ids[status])].status if uid(ids[status]) in events else None) == ical, (
            status
        )


async def test_single_booking_download(client: httpx.AsyncClient, db: Database) -> None:
    inst = await make_institution(db)
    instrument = await make_instrument(db, inst, name_zh="电镜", name_en="TEM")
    researcher = await make_user(db, await make_institution(db), language="en")
    manager = await make_user(db, inst, manages=[instrument])
    stranger = await make_user(db, await make_institution(db))
    start = utcnow().replace(microsecond=0) + timedelta(days=3)
    booking = await insert_booking(
        db, instrument, researcher.id, start, start + timedelta(hours=1), purpose="cryo"
    )
    response = await client.get(f"/api/v1/bookings/{booking}/ics", headers=researcher.headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert 'filename="booking-' in response.headers["content-disposition"]
    assert_well_formed(response.content)
    events = parse_with_icaljs(response.content)
    assert list(events) == [uid(booking)] and events[uid(booking)].summary == "TEM · Confirmed"
    assert (
        await client.get(f"/api/v1/bookings/{booking}/ics", headers=manager.headers)
    ).status_code == 200
    assert (
        await client.get(f"/api/v1/bookings/{booking}/ics", headers=stranger.headers)
    ).status_code == 404
    assert (
        await client.get(f"/api/v1/bookings/{2**40}/ics", headers=researcher.headers)
    ).status_code == 404
    assert (await client.get(f"/api/v1/bookings/{booking}/ics")).status_code == 401


async def test_instrument_export(client: httpx.AsyncClient, db: Database) -> None:
    fx = await _dst_fixture(db)
    path = f"/api/v1/instruments/{fx['instrument']}/calendar/export.ics{WIDE}"
    response = await client.get(path, headers=fx["manager"].headers)
    assert response.status_code == 200
    assert_well_formed(response.content)
    assert await mismatches(db, response.content, [*fx["bookings"], fx["block"]]) == []
    assert (await client.get(path, headers=fx["researcher"].headers)).status_code == 403
    missing = f"/api/v1/instruments/{2**40}/calendar/export.ics"
    assert (await client.get(missing, headers=fx["manager"].headers)).status_code == 404
