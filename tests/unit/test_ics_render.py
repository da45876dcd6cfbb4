"""Pure calendar rules: rendering, folding and escaping, invitations, the event cache,
validators, windows, and `.ics` expansion. No database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from service.calendars.cache import EventCache
from service.calendars.feeds import etag_matches
from service.calendars.ics_import import IcsError, expand, parse_calendar
from service.calendars.invites import BookingIcs, booking_invite
from service.calendars.render import EventRow, assemble, render_event
from service.calendars.selection import feed_window
from tests.calendars_support import assert_well_formed, parse_with_icaljs
from tests.libical_support import read_with_libical

T0 = datetime(2027, 7, 1, 1, 0, tzinfo=UTC)
LONG_ZH = "高分辨质谱仪（Orbitrap Exploris 480）样品分析：蛋白质组学、代谢组学；" * 4


def _row(**changes: object) -> EventRow:
    row = EventRow(
        booking_id=42,
        kind="booking",
        status="confirmed",
        version=3,
        starts_at=T0,
        ends_at=T0 + timedelta(hours=2),
        created_at=T0 - timedelta(days=3),
        updated_at=T0 - timedelta(days=1),
        instrument_id=7,
        instrument_zh=LONG_ZH,
        instrument_en="Orbitrap",
        building="化学楼, A座",
        room="101;B",
        institution_zh="吉林大学",
        institution_en="Jilin University",
        booker_name="张三",
        purpose="a,b;c\\d\n第二行",
        service_way="technical",
    )
    return row._replace(**changes)  # type: ignore[arg-type]


def test_event_is_utc_folded_crlf_and_round_trips_chinese() -> None:
    body = assemble("测试日历", [render_event(_row(), "zh-CN", "user", "https://x.org")])
    assert_well_formed(body)
    for line in body.split(b"\r\n"):
        line.decode("utf-8")  # folding never splits a multi-byte character
    assert b"DTSTART:20270701T010000Z\r\n" in body and b"DTEND:20270701T030000Z\r\n" in body
    event = icalendar.Calendar.from_ical(body.decode()).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == f"{LONG_ZH} · 已确认"
    assert "用途: a,b;c\\d\n第二行" in str(event["DESCRIPTION"])
    assert str(event["LOCATION"]) == "吉林大学, 化学楼, A座, 101;B"
    assert int(str(event["SEQUENCE"])) == 3 and str(event["UID"]) == "booking-42@instrument-share"
    js = parse_with_icaljs(body)["booking-42@instrument-share"]
    assert js.summary == f"{LONG_ZH} · 已确认" and js.start == T0 and js.sequence == 3


def test_output_is_deterministic_for_equal_inputs() -> None:
    assert render_event(_row(), "en", "manager", "u") == render_event(_row(), "en", "manager", "u")


def test_public_variant_never_shows_who_or_why() -> None:
    text = render_event(_row(), "en", "public", "https://x.org").decode()
    unfolded = text.replace("\r\n ", "")
    assert "张三" not in unfolded and "第二行" not in unfolded and "/bookings/" not in unfolded
    assert "Orbitrap · Booked" in unfolded and "https://x.org/instruments/7" in unfolded


def test_manager_variant_names_the_booker() -> None:
    unfolded = render_event(_row(), "en", "manager", "u").decode().replace("\r\n ", "")
    assert "SUMMARY:Orbitrap · Confirmed · 张三" in unfolded and "Booked by: 张三" in unfolded


def test_invites_request_and_cancel() -> None:
    booking = BookingIcs(_row(), "zhang@example.org", "张三", "lab@example.org", "质谱平台")
    request = booking_invite(booking, "REQUEST", "zh-CN", base_url="https://x.org")
    assert_well_formed(request, "REQUEST")
    event = icalendar.Calendar.from_ical(request.decode()).walk("VEVENT")[0]
    assert str(event["ORGANIZER"]) == "mailto:lab@example.org"
    assert str(event["ATTENDEE"]) == "mailto:zhang@example.org"
    assert event["ATTENDEE"].params["CN"] == "张三"
    cancelled = booking._replace(row=_row(status="cancelled", version=4))
    cancel = booking_invite(cancelled, "CANCEL", "en", base_url="https://x.org")
    assert_well_formed(cancel, "CANCEL")
    parsed = parse_with_icaljs(cancel)["booking-42@instrument-share"]
    assert (parsed.status, parsed.sequence) == ("CANCELLED", 4)
    assert parse_with_icaljs(request)["booking-42@instrument-share"].sequence == 3


def test_event_cache_reuses_only_identical_inputs() -> None:
    cache = EventCache(max_entries=2)
    first = cache.get(_row(), "en", "user", "u")
    assert cache.get(_row(), "en", "user", "u") is first and cache.hits == 1
    renamed = cache.get(_row(instrument_en="Renamed"), "en", "user", "u")
    assert b"Renamed" in renamed and cache.misses == 2
    cache.get(_row(booking_id=1), "en", "user", "u")
    cache.get(_row(booking_id=2), "en", "user", "u")
    assert len(cache) == 2


def test_etag_matching() -> None:
    assert etag_matches('"a"', '"a"') and etag_matches('W/"a"', '"a"') and etag_matches("*", '"a"')
    assert etag_matches('"b", "a"', '"a"')
    assert (
        not etag_matches(None, '"a"')
        and not etag_matches('"b"', '"a"')
        and not etag_matches("", '"a"')
    )


def test_feed_window_moves_by_whole_days() -> None:
    morning = datetime(2027, 3, 10, 0, 5, tzinfo=UTC)
    evening = datetime(2027, 3, 10, 23, 55, tzinfo=UTC)
    assert feed_window(morning, 30, 365) == feed_window(evening, 30, 365)
    start, end = feed_window(morning, 0, 1)
    assert (start, end) == (datetime(2027, 3, 10, tzinfo=UTC), datetime(2027, 3, 12, tzinfo=UTC))


NY = ZoneInfo("America/New_York")


def _ics(*events: str) -> bytes:
    body = "".join(f"BEGIN:VEVENT\r\nDTSTAMP:20260101T000000Z\r\n{e}END:VEVENT\r\n" for e in events)
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:t\r\n{body}END:VCALENDAR\r\n".encode()


def test_weekly_rule_keeps_local_time_across_dst() -> None:
    cal = parse_calendar(
        _ics(
            "UID:w\r\nSUMMARY:clean\r\nDTSTART;TZID=America/New_York:20270301T090000\r\n"
            "DTEND;TZID=America/New_York:20270301T100000\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\n"
            "EXDATE;TZID=America/New_York:20270308T090000\r\n"
        )
    )
    start = datetime(2027, 2, 1, tzinfo=UTC)
    found = expand(cal, NY, start, start + timedelta(days=90))
    assert [o.start for o in found] == [
        datetime(2027, 3, 1, 14, tzinfo=UTC),  # EST
        datetime(2027, 3, 15, 13, tzinfo=UTC),  # EDT
        datetime(2027, 3, 22, 13, tzinfo=UTC),
    ]
    assert all(o.end - o.start == timedelta(hours=1) for o in found if o.start and o.end)


def test_floating_and_all_day_events_use_the_instrument_zone() -> None:
    cal = parse_calendar(
        _ics(
            "UID:f\r\nDTSTART:20270710T090000\r\nDTEND:20270710T100000\r\n",
            "UID:d\r\nDTSTART;VALUE=DATE:20270711\r\n",
        )
    )
    start = datetime(2027, 7, 1, tzinfo=UTC)
    found = {
        o.uid: o for o in expand(cal, ZoneInfo("Asia/Shanghai"), start, start + timedelta(days=30))
    }
    assert found["f"].start == datetime(2027, 7, 10, 1, tzinfo=UTC)
    assert (found["d"].start, found["d"].end) == (
        datetime(2027, 7, 10, 16, tzinfo=UTC),
        datetime(2027, 7, 11, 16, tzinfo=UTC),
    )


def test_window_limits_and_problems() -> None:
    cal = parse_calendar(
        _ics(
            "UID:late\r\nDTSTART:20280101T000000Z\r\nDTEND:20280101T010000Z\r\n",
            "UID:c\r\nSTATUS:CANCELLED\r\nDTSTART:20270105T000000Z\r\nDTEND:20270105T010000Z\r\n",
            "UID:z\r\nDTSTART:20270106T000000Z\r\n",
        )
    )
    start = datetime(2027, 1, 1, tzinfo=UTC)
    found = {o.uid: o for o in expand(cal, NY, start, start + timedelta(days=30))}
    assert "late" not in found
    assert found["c"].problem and found["z"].problem


@pytest.mark.parametrize(
    "data", [b"", b"hello", b"BEGIN:VEVENT\r\nEND:VEVENT\r\n", "é".encode("latin-1")]
)
def test_malformed_files_are_refused(data: bytes) -> None:
    with pytest.raises(IcsError):
        parse_calendar(data)


def test_runaway_rule_is_refused() -> None:
    cal = parse_calendar(
        _ics(
            "UID:r\r\nDTSTART:20270101T000000Z\r\nDTEND:20270101T000100Z\r\nRRULE:FREQ=MINUTELY\r\n"
        )
    )
    with pytest.raises(IcsError):
        expand(cal, NY, datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 2, 1, tzinfo=UTC))


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=SECONDLY;COUNT=999999999",
        "FREQ=MINUTELY;COUNT=999999999",
        "FREQ=HOURLY;BYMINUTE=0,1,2,3,4,5",
        "FREQ=DAILY;BYHOUR=9;BYMINUTE=0;BYSECOND=0,1,2",
    ],
)
def test_sub_hourly_rule_starting_after_the_window_is_refused_at_once(rule: str) -> None:
    """Starting past the window start, the expander used to fill months of per-second
    instances before the occurrence cap could stop it (tens of seconds of CPU)."""
    cal = parse_calendar(
        _ics(f"UID:r\r\nDTSTART:20270601T000000Z\r\nDTEND:20270601T000001Z\r\nRRULE:{rule}\r\n")
    )
    with pytest.raises(IcsError, match="^Rules repeating more often than hourly"):
        expand(cal, NY, datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 7, 1, tzinfo=UTC))


def test_hourly_rule_with_one_minute_is_still_expanded() -> None:
    cal = parse_calendar(
        _ics(
            "UID:h\r\nDTSTART:20270101T000000Z\r\nDTEND:20270101T001000Z\r\n"
            "RRULE:FREQ=HOURLY;BYMINUTE=0;BYSECOND=0;COUNT=5\r\n"
        )
    )
    found = expand(cal, NY, datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 1, 2, tzinfo=UTC))
    assert [o.start for o in found] == [datetime(2027, 1, 1, hour, tzinfo=UTC) for hour in range(5)]


def test_invitations_pass_libicals_itip_restriction_check() -> None:
    booking = BookingIcs(_row(), "zhang@example.org", "张三", "lab@example.org", "质谱平台")
    request = read_with_libical(booking_invite(booking, "REQUEST", "en", base_url="https://x"))
    assert request.method == "REQUEST" and request.restrictions_ok, request.errors
    assert request.events[0].organizer == "mailto:lab@example.org"
    cancelled = booking._replace(row=_row(status="cancelled", version=4))
    cancel = read_with_libical(booking_invite(cancelled, "CANCEL", "en", base_url="https://x"))
    assert cancel.method == "CANCEL" and cancel.restrictions_ok, cancel.errors
    assert (cancel.events[0].status, cancel.events[0].sequence) == ("CANCELLED", 4)


def test_a_snapshot_without_method_passes_where_publish_without_organizer_failed() -> None:
    body = assemble("日历", [render_event(_row(), "zh-CN", "user", "https://x.org")])
    assert b"METHOD" not in body
    assert read_with_libical(body).restrictions_ok
    publish = body.replace(b"CALSCALE:GREGORIAN\r\n", b"CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\n")
    failed = read_with_libical(publish)
    assert not failed.restrictions_ok and any("ORGANIZER" in e for e in failed.errors)


async def test_render_all_keeps_order_and_fills_the_cache_from_a_worker_thread() -> None:
    cache = EventCache()
    rows = [_row(booking_id=n, version=n % 3 + 1) for n in range(1, 81)]
    cache.get(rows[5], "en", "user", "u")  # one hit among many misses
    texts = await cache.render_all(rows, "en", "user", "u")
    assert texts == [render_event(r, "en", "user", "u") for r in rows]
    assert len(cache) == 80 and cache.hits == 1
    again = await cache.render_all(rows, "en", "user", "u")
    assert again == texts and cache.hits == 81
