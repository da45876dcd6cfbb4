"""The booking's calendar object for the mails that change a calendar: confirmation and
reschedule carry `METHOD:REQUEST`, cancellation and displacement `METHOD:CANCEL`, with the
feed's UID, so a client keeps one event per booking."""

from __future__ import annotations

from typing import Literal

from service.calendars.invites import booking_invite, load_booking_for_ics
from service.db import Database
from service.notifications.render import Mail
from service.settings import Settings

ICS_METHODS: dict[str, Literal["REQUEST", "CANCEL"]] = {
    "booking_confirmed": "REQUEST",
    "booking_rescheduled": "REQUEST",
    "booking_cancelled": "CANCEL",
    "booking_displaced": "CANCEL",
}


async def attachment(db: Database, settings: Settings, mail: Mail) -> bytes | None:
    method = ICS_METHODS.get(mail.kind)
    if method is None or mail.booking is None:
        return None
    async with db.connection() as conn:
        booking = await load_booking_for_ics(conn, mail.booking.id)
    if booking is None:
        return None
    language = "en" if mail.language == "en" else "zh-CN"
    return booking_invite(booking, method, language, base_url=settings.base_url)
