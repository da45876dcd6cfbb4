"""An uploaded file's time zones are its own: a VTIMEZONE wins over an IANA zone of the same
name, and no upload sees another's zones. Checked against vobject and libical, which read
the same files independently."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar.timezone
import pytest
from icalendar.parser.content_line import Contentline

from service.calendars.ics_import import (
    IcsError,
    LimitExceeded,
    Limits,
    expand,
    parse_calendar,
    read_occurrences,
)
from service.calendars.ics_zones import privatize
from tests.ics_support import (
    EST_WITH_US_DST,
    calendar,
    fixed_zone,
    local_event,
    monday_before,
    next_us_spring_forward,
    us_wall_time_in_utc,
    vobject_starts,
)
from tests.libical_support import read_with_libical

SHANGHAI = ZoneInfo("Asia/Shanghai")
SPRING = next_us_spring_forward(date(2027, 1, 1))  # 14 March 2027


def _starts(body: bytes, first: date, days: int = 60) -> dict[str, list[datetime]]:
    start = datetime(first.year, first.month, first.day, tzinfo=UTC) - timedelta(days=1)
    found: dict[str, list[datetime]] = {}
    for occurrence in expand(parse_calendar(body), SHANGHAI, start, start + timedelta(days=days)):
        assert occurrence.start is not None
        found.setdefault(occurrence.uid, []).append(occurrence.start)
    return found


def test_a_files_vtimezone_wins_over_the_iana_zone_of_the_same_name() -> None:
    monday = monday_before(SPRING)
    body = calendar(EST_WITH_US_DST, local_event("weekly", "EST", monday, 9, "FREQ=WEEKLY;COUNT=3"))
    expected = [us_wall_time_in_utc(monday + timedelta(weeks=n), 9) for n in range(3)]
    # 8 March 2027 09:00 EST = 14:00Z; 15 and 22 March 09:00 EDT = 13:00Z (IANA's EST: 14:00Z)
    assert [d.hour for d in expected] == [14, 13, 13]
    assert _starts(body, monday)["weekly"] == expected
    assert vobject_starts(body)["weekly"] == expected
    assert read_with_libical(body).event("weekly").occurrences == expected


def test_a_tzid_without_vtimezone_still_means_the_iana_zone() -> None:
    monday = monday_before(SPRING)
    body = calendar("", local_event("ny", "America/New_York", monday + timedelta(weeks=1), 9))
    assert _starts(body, monday)["ny"] == [us_wall_time_in_utc(monday + timedelta(weeks=1), 9)]


@pytest.mark.parametrize("tzid", ["Lab Local Time", "Customized Time Zone"])
def test_two_uploads_reusing_a_zone_name_each_get_their_own_offset(tzid: str) -> None:
    day = date(2027, 3, 15)
    first = calendar(fixed_zone(tzid, "+0400"), local_event("a", tzid, day, 9))
    second = calendar(fixed_zone(tzid, "-0400"), local_event("b", tzid, day, 9))
    assert _starts(first, day)["a"] == [datetime(2027, 3, 15, 5, tzinfo=UTC)]
    assert _starts(second, day)["b"] == [datetime(2027, 3, 15, 13, tzinfo=UTC)]
    assert _starts(first, day)["a"] == [datetime(2027, 3, 15, 5, tzinfo=UTC)]
    assert vobject_starts(second)["b"] == [datetime(2027, 3, 15, 13, tzinfo=UTC)]
    assert read_with_libical(second).event("b").occurrences == [
        datetime(2027, 3, 15, 13, tzinfo=UTC)
    ]


def test_private_names_leave_nothing_in_the_parsers_process_wide_cache() -> None:
    cache = icalendar.timezone.tzp._TZP__tz_cache  # type: ignore[attr-defined]
    body = calendar(
        fixed_zone("Lab Local Time", "+0400"),
        local_event("a", "Lab Local Time", date(2027, 3, 15), 9),
    )
    parse_calendar(body)
    assert not [name for name in cache if str(name).startswith("upload-")]
    assert "Lab Local Time" not in cache


def test_renaming_touches_only_the_files_own_zones_and_keeps_folded_lines_whole() -> None:
    description = "DESCRIPTION:" + "长描述 TZID=Lab Local Time\\; " * 10
    folded = Contentline(description).to_ical().decode()  # type: ignore[no-untyped-call]
    assert "\r\n " in folded
    body = calendar(
        fixed_zone("Lab Local Time", "+0100"),
        local_event("a", "Lab Local Time", date(2027, 3, 15), 9)
        + "EXDATE;TZID=Europe/Berlin:20270316T090000\r\n"
        + folded
        + "\r\n",
    ).decode()
    renamed, names = privatize(body)
    assert len(names) == 1 and f"TZID:{names[0]}\r\n" in renamed
    assert f"DTSTART;TZID={names[0]}:20270315T090000" in renamed
    assert "EXDATE;TZID=Europe/Berlin:20270316T090000" in renamed
    assert description + "\r\n" in renamed  # unfolded, otherwise unchanged


def test_limits_name_what_was_exceeded() -> None:
    small = Limits(max_bytes=400, max_events=2, max_occurrences=5)
    window = (datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 2, 1, tzinfo=UTC))
    one = "UID:{n}\r\nDTSTART:20270105T000000Z\r\nDTEND:20270105T010000Z\r\n"
    cases = {
        "size": calendar("", *(one.format(n=n) for n in range(5))),
        "events": calendar("", *(one.format(n=n) for n in range(3))),
        "occurrences": calendar("", one.format(n=1) + "RRULE:FREQ=DAILY;COUNT=10\r\n"),
    }
    for name, body in cases.items():
        limits = small if name != "size" else Limits(max_bytes=len(body) - 1)
        with pytest.raises(LimitExceeded) as caught:
            read_occurrences(body, "Asia/Shanghai", window[0], window[1], limits=limits)
        assert caught.value.limit == name and caught.value.maximum == limits.of(name)
    assert isinstance(caught.value, IcsError)
