"""Single-booking calendar objects: the `.ics` download and the mail attachments.

The mail sender builds the booking from the notice's snapshot (`invite_parties`) and calls
`booking_invite(booking, "REQUEST" | "CANCEL", language)`. The event is the same one the feeds
show (same UID, SEQUENCE = the booking's version when the notice was written), so a client that
has both the invitation and a subscription keeps one event, and a CANCEL with a higher SEQUENCE
removes it.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

import asyncpg
import icalendar

from service.calendars import sql
from service.calendars.render import EventRow, Method, Variant, assemble, build_event
from service.common.i18n import pick
from service.settings import Settings

FALLBACK_ORGANIZER = "noreply@instrument-share.org"


class BookingIcs(NamedTuple):
    """A booking with the people an invitation names."""

    row: EventRow
    booker_email: str
    booker_name: str
    organizer_email: str
    organizer_name: str


class LoadedBooking(NamedTuple):
    ics: BookingIcs
    user_id: int
    institution_id: int


def invite_parties(
    row: EventRow, booker_email: str, contact_email: str, contact_name: str
) -> BookingIcs:
    """The booking with its attendee (the booker) and organizer (the instrument's contact, or
    the platform's no-reply address when the instrument names none)."""
    organizer = contact_email or FALLBACK_ORGANIZER
    name = contact_name or pick("zh-CN", row.instrument_zh, row.instrument_en)
    return BookingIcs(row, booker_email, row.booker_name or "", organizer, name)


async def load_booking(conn: asyncpg.Connection, booking_id: int) -> LoadedBooking | None:
    record = await conn.fetchrow(sql.INVITE_BOOKING, booking_id)
    if record is None:
        return None
    row = EventRow(*tuple(record)[:18])
    ics = invite_parties(
        row, record["booker_email"], record["contact_email"], record["contact_name"]
    )
    return LoadedBooking(ics, record["user_id"], record["institution_id"])


def single_booking_ics(
    booking: BookingIcs, language: str, variant: Variant, base_url: str
) -> bytes:
    """The download: one event exactly as the feeds render it, without METHOD (a snapshot)."""
    event = build_event(booking.row, language, variant, base_url)
    return assemble(str(event["summary"]), [bytes(event.to_ical())])


def booking_invite(
    booking: BookingIcs,
    method: Literal["REQUEST", "CANCEL"],
    language: str,
    *,
    base_url: str | None = None,
) -> bytes:
    """An iTIP (RFC 5546) object for e-mail: REQUEST on confirmation, CANCEL on cancellation.

    The booker is the only attendee and has already accepted (they asked for the booking), so
    `RSVP=FALSE` keeps clients from prompting for a reply nobody reads.
    """
    base = base_url if base_url is not None else Settings.from_env().base_url
    event = build_event(booking.row, language, "user", base)
    if method == "CANCEL":
        event["status"] = icalendar.vText("CANCELLED")
    organizer = icalendar.vCalAddress(f"mailto:{booking.organizer_email}")
    organizer.params["CN"] = icalendar.vText(booking.organizer_name)
    event.add("organizer", organizer)
    attendee = icalendar.vCalAddress(f"mailto:{booking.booker_email}")
    attendee.params["CN"] = icalendar.vText(booking.booker_name)
    attendee.params["ROLE"] = icalendar.vText("REQ-PARTICIPANT")
    if method == "REQUEST":
        attendee.params["PARTSTAT"] = icalendar.vText("ACCEPTED")
    attendee.params["RSVP"] = icalendar.vText("FALSE")
    event.add("attendee", attendee)
    name: Method = method
    return assemble(str(event["summary"]), [bytes(event.to_ical())], name)
