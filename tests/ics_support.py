"""Hostile and tricky `.ics` files for the import tests, and what independent parsers
(vobject, libical) read in them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import vobject

NEW_YORK = ZoneInfo("America/New_York")

#: `TZID:EST`, but with the United States' daylight rules: the file's VTIMEZONE, not IANA's
#: fixed-offset `EST`, is what the TZID means (RFC 5545 3.2.19).
EST_WITH_US_DST = """BEGIN:VTIMEZONE\r
TZID:EST\r
BEGIN:STANDARD\r
DTSTART:19701101T020000\r
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r
TZOFFSETFROM:-0400\r
TZOFFSETTO:-0500\r
TZNAME:EST\r
END:STANDARD\r
BEGIN:DAYLIGHT\r
DTSTART:19700308T020000\r
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r
TZOFFSETFROM:-0500\r
TZOFFSETTO:-0400\r
TZNAME:EDT\r
END:DAYLIGHT\r
END:VTIMEZONE\r
"""

#: An endless hourly rule from 1900: the expander walks a million hours before it reaches the
#: window (134 bytes, seconds of CPU; a start in 1970 kept the old expander busy for minutes).
ENDLESS_HOURLY = (
    b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:19000101T000000Z\r\n"
    b"DTEND:19700101T000001Z\r\nRRULE:FREQ=HOURLY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def fixed_zone(tzid: str, offset: str) -> str:
    """A VTIMEZONE with one fixed offset, as Outlook writes "Customized Time Zone"."""
    return (
        f"BEGIN:VTIMEZONE\r\nTZID:{tzid}\r\nBEGIN:STANDARD\r\nDTSTART:16010101T000000\r\n"
        f"TZOFFSETFROM:{offset}\r\nTZOFFSETTO:{offset}\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
    )


def calendar(zones: str, *events: str) -> bytes:
    body = "".join(f"BEGIN:VEVENT\r\nDTSTAMP:20260101T000000Z\r\n{e}END:VEVENT\r\n" for e in events)
    return (
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{zones}{body}END:VCALENDAR\r\n"
    ).encode()


def quoted(tzid: str) -> str:
    return f'"{tzid}"' if any(c in tzid for c in ":;, ") else tzid


def local_event(uid: str, tzid: str, day: date, hour: int, rule: str = "") -> str:
    stamp = day.strftime("%Y%m%d")
    return (
        f"UID:{uid}\r\nSUMMARY:{uid}\r\nDTSTART;TZID={quoted(tzid)}:{stamp}T{hour:02d}0000\r\n"
        f"DTEND;TZID={quoted(tzid)}:{stamp}T{hour + 1:02d}0000\r\n"
        + (f"RRULE:{rule}\r\n" if rule else "")
    )


def next_us_spring_forward(after: date) -> date:
    """The next second Sunday of March (US daylight saving starts) after `after`."""
    year = after.year
    while True:
        first = date(year, 3, 1)
        sunday = first + timedelta(days=(6 - first.weekday()) % 7 + 7)
        if sunday > after:
            return sunday
        year += 1


def monday_before(spring: date) -> date:
    return spring - timedelta(days=6)


def us_wall_time_in_utc(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=NEW_YORK).astimezone(UTC)


def vobject_starts(body: bytes) -> dict[str, list[datetime]]:
    """Every occurrence start per UID as vobject expands it, in UTC. vobject too keeps the
    zones it reads in a process-wide table by TZID; it is emptied first, so each file is read
    on its own."""
    vars(vobject.icalendar)["__tzidMap"].clear()
    cal = vobject.readOne(body.decode())
    out: dict[str, list[datetime]] = {}
    for event in cal.vevent_list:
        starts = list(event.getrruleset(addRDate=True) or [event.dtstart.value])
        out[str(event.uid.value)] = [s.astimezone(UTC) for s in starts]
    return out
