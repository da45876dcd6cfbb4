"""Reading a manager's `.ics` file into maintenance intervals, without I/O.

Recurring events are expanded with `recurring-ical-events` over `[start, end)`. Times without
a zone (floating) and all-day dates mean the instrument's local time, which is how the
calendar they came from displayed them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from service.common.time import local_to_utc

MAX_OCCURRENCES = 2000
MAX_SUMMARY = 2000
#: Rules finer than hourly expand to millions of instances before the occurrence cap can stop
#: them (the expander fills whole windows at a time), stalling the server; no maintenance
#: calendar needs them.
SUB_HOURLY = {"SECONDLY", "MINUTELY"}


class IcsError(ValueError):
    """The file is not a usable iCalendar object; the message says why."""


class Occurrence(NamedTuple):
    uid: str
    summary: str
    start: datetime | None
    end: datetime | None
    problem: str | None = None


def parse_calendar(data: bytes) -> icalendar.Calendar:
    if not data.strip():
        raise IcsError("The file is empty.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IcsError("The file is not UTF-8 text.") from exc
    try:
        cal = icalendar.Calendar.from_ical(text)
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise IcsError(f"The file is not valid iCalendar: {exc}") from exc
    if not isinstance(cal, icalendar.Calendar) or cal.name != "VCALENDAR":
        raise IcsError("The file does not contain a VCALENDAR.")
    return cal


def _instant(value: Any, tz: ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            return local_to_utc(value.date(), value.time(), tz)
        return value.astimezone(UTC)
    if isinstance(value, date):
        return local_to_utc(value, time(0), tz)
    raise IcsError(f"Unsupported date value {value!r}.")


def _label(event: icalendar.Component) -> tuple[str, str]:
    """UID and summary as reported back to the manager."""
    summary = str(event.get("summary", "")).strip()[:MAX_SUMMARY]
    return str(event.get("uid", "")) or "(no UID)", summary


def _occurrence(event: icalendar.Event, tz: ZoneInfo) -> Occurrence:
    uid, summary = _label(event)
    if "dtstart" not in event:
        return Occurrence(uid, summary, None, None, "The event has no DTSTART.")
    raw_start = event.decoded("dtstart")
    start = _instant(raw_start, tz)
    if "dtend" in event:
        end = _instant(event.decoded("dtend"), tz)
    elif "duration" in event:
        end = start + event.decoded("duration")
    elif not isinstance(raw_start, datetime):
        end = _instant(raw_start + timedelta(days=1), tz)
    else:
        end = start
    if str(event.get("status", "")).upper() == "CANCELLED":
        return Occurrence(uid, summary, start, end, "The event is cancelled in the file.")
    if end <= start:
        return Occurrence(uid, summary, start, end, "The event ends before it starts.")
    return Occurrence(uid, summary, start, end)


def _occurrences(cal: icalendar.Calendar, start: datetime) -> Iterator[icalendar.Event]:
    """The library raises many kinds of errors on broken rules and dates; all mean 'bad file'."""
    try:
        yield from recurring_ical_events.of(cal, components=["VEVENT"]).after(start)
    except IcsError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise IcsError(f"The events cannot be expanded: {exc}") from exc


def _malformed(cal: icalendar.Calendar) -> dict[str, Occurrence]:
    """Events the expander would silently repair (it swaps an end before the start) or drop."""
    bad: dict[str, Occurrence] = {}
    for event in cal.walk("VEVENT"):
        uid, summary = _label(event)
        if "dtstart" not in event:
            bad[uid] = Occurrence(uid, summary, None, None, "The event has no DTSTART.")
        elif "dtend" in event and event.decoded("dtend") < event.decoded("dtstart"):
            bad[uid] = Occurrence(uid, summary, None, None, "The event ends before it starts.")
    return bad


def _refuse_sub_hourly(cal: icalendar.Calendar) -> None:
    for event in cal.walk("VEVENT"):
        rules = event.get("rrule", [])
        for rule in rules if isinstance(rules, list) else [rules]:
            freq = {str(f).upper() for f in rule.get("FREQ", [])}
            if (
                freq & SUB_HOURLY
                or len(rule.get("BYMINUTE", [])) > 1
                or len(rule.get("BYSECOND", [])) > 1
            ):
                raise IcsError("Rules repeating more often than hourly are not supported.")


def expand(
    cal: icalendar.Calendar, tz: ZoneInfo, start: datetime, end: datetime
) -> list[Occurrence]:
    """Every occurrence touching `[start, end)`, in start order; a runaway rule is refused."""
    try:
        _refuse_sub_hourly(cal)
        malformed = _malformed(cal)
    except IcsError:
        raise
    except (TypeError, ValueError, KeyError) as exc:
        raise IcsError(f"The file has unreadable dates: {exc}") from exc
    out: list[Occurrence] = list(malformed.values())
    for event in _occurrences(cal, start):
        if str(event.get("uid", "")) in malformed:
            continue
        occurrence = _occurrence(event, tz)
        if occurrence.start is not None and occurrence.start >= end:
            # floating times sort by wall clock, so stop only well past the window
            if occurrence.start >= end + timedelta(days=2):
                break
            continue
        out.append(occurrence)
        if len(out) > MAX_OCCURRENCES:
            raise IcsError(f"The file expands to more than {MAX_OCCURRENCES} occurrences.")
    return out
