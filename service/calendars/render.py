"""Turning booking rows into iCalendar text (RFC 5545 / RFC 7986), without I/O.

Time zones: every instant is written in UTC (`DTSTART:20270315T010000Z`) and no `VTIMEZONE`
is emitted. The `VTIMEZONE` that icalendar generates (multi-value `RDATE`) is misread by ical.js
(Thunderbird, Nextcloud) and vobject, which put summer events in DST zones an hour off; UTC
instants are read exactly by every parser tried, and clients show them in the viewer's zone,
which is what a researcher travelling to another region wants. `X-WR-TIMEZONE` is deliberately
left out: some clients (and the `x-wr-timezone` convention) reinterpret UTC times through it,
which would reintroduce the very shift UTC avoids.

`DTSTAMP` is the booking's `updated_at`, not the moment of serving: the same inputs then give
byte-identical output, so an `ETag` computed from the inputs is a true strong validator.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Literal, NamedTuple

import icalendar

from service.calendars.labels import field
from service.common.codes import ENDED_UNUSED
from service.common.i18n import pick
from service.common.labels import BOOKING_STATUSES, SERVICE_WAYS, label

Variant = Literal["user", "manager", "public"]
#: iTIP methods (RFC 5546) of mail invitations. Feeds, downloads and exports carry no METHOD:
#: they are snapshots, not scheduling messages, and `METHOD:PUBLISH` would oblige them to name
#: an ORGANIZER (libical's iTIP restriction check rejects a PUBLISH event without one).
Method = Literal["REQUEST", "CANCEL"]

PRODID = "-//Instrument Share//Instrument Share Calendars 1.0//EN"
UID_DOMAIN = "instrument-share"
#: Changing how events look must change every cache key and ETag.
RENDER_VERSION = 2


class EventRow(NamedTuple):
    """Everything an event shows; the feed query selects exactly these columns in this order.

    `booker_name`, `purpose` and `service_way` are NULL for public feeds: the query never
    selects them, so a public event cannot leak them whatever the renderer does.
    """

    booking_id: int
    kind: str
    status: str
    version: int
    starts_at: datetime
    ends_at: datetime
    created_at: datetime
    updated_at: datetime
    instrument_id: int
    instrument_zh: str
    instrument_en: str
    building: str
    room: str
    institution_zh: str
    institution_en: str
    booker_name: str | None
    purpose: str | None
    service_way: str | None


def booking_uid(booking_id: int) -> str:
    """Never changes for a booking, so clients update events in place instead of duplicating."""
    return f"booking-{booking_id}@{UID_DOMAIN}"


def ical_status(status: str) -> str:
    if status == "pending" or status == "held":
        return "TENTATIVE"
    if status in ENDED_UNUSED:
        return "CANCELLED"
    return "CONFIRMED"


def _summary(row: EventRow, language: str, variant: Variant) -> str:
    name = pick(language, row.instrument_zh, row.instrument_en)
    if row.kind == "maintenance":
        what = field("maintenance", language)
    elif variant == "public":
        what = field("booked", language)
    else:
        what = label(BOOKING_STATUSES, row.status, language)
    if row.status in ENDED_UNUSED and (row.kind == "maintenance" or variant == "public"):
        what = f"{what} ({label(BOOKING_STATUSES, row.status, language)})"
    parts = [name, what]
    if variant == "manager" and row.kind == "booking" and row.booker_name:
        parts.append(row.booker_name)
    return " · ".join(parts)


def _description(row: EventRow, language: str, variant: Variant, link: str) -> str:
    lines: list[str] = []
    if variant == "public":
        lines.append(field("maintenance" if row.kind == "maintenance" else "busy", language))
    elif row.kind == "maintenance":
        lines.append(f"{field('maintenance', language)}: {row.purpose or ''}".rstrip(": "))
    else:
        if variant == "manager" and row.booker_name:
            lines.append(f"{field('booker', language)}: {row.booker_name}")
        lines.append(
            f"{field('status', language)}: {label(BOOKING_STATUSES, row.status, language)}"
        )
        if row.service_way:
            way = label(SERVICE_WAYS, row.service_way, language)
            lines.append(f"{field('service_way', language)}: {way}")
        if row.purpose:
            lines.append(f"{field('purpose', language)}: {row.purpose}")
    lines.append(f"{field('details', language)}: {link}")
    return "\n".join(lines)


def _location(row: EventRow, language: str) -> str:
    place = [pick(language, row.institution_zh, row.institution_en), row.building, row.room]
    return ", ".join(p for p in place if p)


def event_link(row: EventRow, variant: Variant, base_url: str) -> str:
    """Public subscribers cannot open someone else's booking: they get the instrument page."""
    if variant == "public":
        return f"{base_url}/instruments/{row.instrument_id}"
    return f"{base_url}/bookings/{row.booking_id}"


def build_event(row: EventRow, language: str, variant: Variant, base_url: str) -> icalendar.Event:
    link = event_link(row, variant, base_url)
    event = icalendar.Event()
    event.add("uid", booking_uid(row.booking_id))
    event.add("dtstamp", row.updated_at.astimezone(UTC))
    event.add("created", row.created_at.astimezone(UTC))
    event.add("last-modified", row.updated_at.astimezone(UTC))
    event.add("sequence", row.version)
    event.add("dtstart", row.starts_at.astimezone(UTC))
    event.add("dtend", row.ends_at.astimezone(UTC))
    event.add("status", ical_status(row.status))
    event.add("transp", "TRANSPARENT" if row.status in ENDED_UNUSED else "OPAQUE")
    event.add("summary", _summary(row, language, variant))
    event.add("location", _location(row, language))
    event.add("description", _description(row, language, variant, link))
    event.add("url", link)
    return event


def render_event(row: EventRow, language: str, variant: Variant, base_url: str) -> bytes:
    """One folded, CRLF-terminated `BEGIN:VEVENT … END:VEVENT` block."""
    return bytes(build_event(row, language, variant, base_url).to_ical())


def calendar_shell(name: str, method: Method | None = None) -> tuple[bytes, bytes]:
    """The calendar wrapper split where the events go, built by icalendar so that its
    properties are escaped and folded like the events themselves. Without `method` it is a
    subscribable snapshot (refresh hints, no METHOD); with one, an iTIP message."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method is not None:
        cal.add("method", method)
    cal.add("name", name)
    cal.add("x-wr-calname", name)
    if method is None:
        cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", "PT1H")
    text = bytes(cal.to_ical())
    end = b"END:VCALENDAR\r\n"
    assert text.endswith(end)
    return text[: -len(end)], end


def assemble(name: str, events: Iterable[bytes], method: Method | None = None) -> bytes:
    head, tail = calendar_shell(name, method)
    return b"".join((head, *events, tail))
