"""The booking's calendar object for the mails that change a calendar: confirmation and
reschedule carry `METHOD:REQUEST`, cancellation and displacement `METHOD:CANCEL`, with the
feed's UID, so a client keeps one event per booking. Built from the notice's snapshot, so its
SEQUENCE and STATUS are those of the change the notice announces."""

from __future__ import annotations

from typing import Literal

from service.calendars.invites import booking_invite, invite_parties
from service.notifications.render import Mail

ICS_METHODS: dict[str, Literal["REQUEST", "CANCEL"]] = {
    "booking_confirmed": "REQUEST",
    "booking_rescheduled": "REQUEST",
    "booking_cancelled": "CANCEL",
    "booking_displaced": "CANCEL",
    "booking_closed": "CANCEL",
}


def attachment(mail: Mail, base_url: str) -> bytes | None:
    method = ICS_METHODS.get(mail.kind)
    booking = mail.booking
    if method is None or booking is None:
        return None
    parties = invite_parties(
        booking.row, booking.booker_email, booking.organizer_email, booking.organizer_name
    )
    language = "en" if mail.language == "en" else "zh-CN"
    return booking_invite(parties, method, language, base_url=base_url)
