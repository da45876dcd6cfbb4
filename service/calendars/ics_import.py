"""Reading a manager's `.ics` file into maintenance intervals, without I/O.

Recurring events are expanded with `recurring-ical-events` over `[start, end)`. Times without
a zone (floating) and all-day dates mean the instrument's local time, which is how the
calendar they came from displayed them. A `TZID` means the file's own `VTIMEZONE` when it has
one (`ics_zones`), an IANA zone otherwise.

Uploads are hostile until proven otherwise, so the work is bounded by `Limits` (size, events,
occurrences; the time budget is kept by `import_sandbox`, which runs `read_occurrences` in a
child process) and a breach names the limit it hit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal, NamedTuple
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from service.calendars.ics_zones import own_zones, unfold
from service.common.time import local_to_utc, zone

MAX_SUMMARY = 2000
MAX_OCCURRENCES = 2000
#: Floating times are compared by wall clock, so the expansion looks this far past the window.
FLOATING_MARGIN = timedelta(days=2)
#: Rules finer than hourly expand to millions of instances before the occurrence cap can stop
#: them (the expander fills whole windows at a time), stalling the server; no maintenance
#: calendar needs them.
SUB_HOURLY = {"SECONDLY", "MINUTELY"}


LimitName = Literal["size", "events", "occurrences", "seconds"]


@dataclass(frozen=True, slots=True)
class Limits:
    """How much one upload may cost. A maintenance calendar is a few kilobytes and a few
    hundred occurrences a year; these leave ample room for that and none for abuse."""

    max_bytes: int = 1_000_000
    max_events: int = 1000
    max_occurrences: int = MAX_OCCURRENCES
    max_seconds: float = 5.0

    def of(self, name: LimitName) -> float:
        return {
            "size": self.max_bytes,
            "events": self.max_events,
            "occurrences": self.max_occurrences,
            "seconds": self.max_seconds,
        }[name]


class IcsError(ValueError):
    """The file is not a usable iCalendar object; the message says why."""


class LimitExceeded(IcsError):
    """The file is over one of the `Limits`; `limit` names which, `maximum` its value."""

    def __init__(self, limit: LimitName, maximum: float, message: str) -> None:
        super().__init__(message)
        self.limit = limit
        self.maximum = maximum


_LIMIT_TEXTS: dict[LimitName, str] = {
    "size": "The file is larger than {max:g} bytes.",
    "events": "The file has more than {max:g} events.",
    "occurrences": "The file expands to more than {max:g} occurrences.",
    "seconds": "Reading the file took longer than {max:g} seconds.",
}


def over_limit(limits: Limits, name: LimitName) -> LimitExceeded:
    maximum = limits.of(name)
    return LimitExceeded(name, maximum, _LIMIT_TEXTS[name].format(max=maximum))


class Occurrence(NamedTuple):
    uid: str
    summary: str
    start: datetime | None
    end: datetime | None
    problem: str | None = None


def _text(data: bytes, limits: Limits) -> str:
    if len(data) > limits.max_bytes:
        raise over_limit(limits, "size")
    if not data.strip():
        raise IcsError("The file is empty.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IcsError("The file is not UTF-8 text.") from exc
    events = sum(line.upper() == "BEGIN:VEVENT" for line in unfold(text))
    if events > limits.max_events:
        raise over_limit(limits, "events")
    return text


def parse_calendar(data: bytes, limits: Limits = Limits()) -> icalendar.Calendar:  # noqa: B008
    """The calendar of one upload, read in isolation: its zones are its own (`ics_zones`)."""
    text = _text(data, limits)
    with own_zones(text) as private:
        try:
            cal = icalendar.Calendar.from_ical(private)
        except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
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


def _occurrences(cal: icalendar.Calendar, start: datetime, end: datetime) -> list[icalendar.Event]:
    """Occurrences in `[start, end + FLOATING_MARGIN)`. `between` costs time linear in the
    occurrences (`after`, which can stop early, is quadratic: 2,000 hourly ones took 9 s).
    The library raises many kinds of errors on broken rules and dates; all mean 'bad file'."""
    try:
        query = recurring_ical_events.of(cal, components=["VEVENT"])
        return list(query.between(start, end + FLOATING_MARGIN))
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
    cal: icalendar.Calendar,
    tz: ZoneInfo,
    start: datetime,
    end: datetime,
    *,
    max_occurrences: int = MAX_OCCURRENCES,
) -> list[Occurrence]:
    """Every occurrence touching `[start, end)`, in start order; a runaway rule is refused."""
    try:
        _refuse_sub_hourly(cal)
        malformed = _malformed(cal)
    except IcsError:
        raise
    except (TypeError, ValueError, KeyError) as exc:
        raise IcsError(f"The file has unreadable dates: {exc}") from exc
    found: list[Occurrence] = []
    for event in _occurrences(cal, start, end):
        if str(event.get("uid", "")) in malformed:
            continue
        occurrence = _occurrence(event, tz)
        if occurrence.start is not None and occurrence.start >= end:
            continue
        found.append(occurrence)
        if len(found) + len(malformed) > max_occurrences:
            raise LimitExceeded(
                "occurrences",
                max_occurrences,
                _LIMIT_TEXTS["occurrences"].format(max=max_occurrences),
            )
    found.sort(key=lambda o: o.start or start)
    return list(malformed.values()) + found


def read_occurrences(
    data: bytes, timezone: str, start: datetime, end: datetime, *, limits: Limits
) -> list[Occurrence]:
    """The whole reading of one upload: what `import_sandbox` runs in a child process."""
    return expand(
        parse_calendar(data, limits),
        zone(timezone),
        start,
        end,
        max_occurrences=limits.max_occurrences,
    )
