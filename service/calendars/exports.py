"""Calendar downloads for signed-in users: one booking, or an instrument's managed view."""

from __future__ import annotations

from datetime import datetime

from service.accounts.principal import Principal
from service.calendars import sql
from service.calendars.cache import EVENT_CACHE
from service.calendars.feeds import use_custom_plans
from service.calendars.importer import load_managed_instrument
from service.calendars.invites import load_booking, single_booking_ics
from service.calendars.labels import field
from service.calendars.render import EventRow, Variant, assemble
from service.calendars.selection import cancelled_cutoff, feed_window
from service.common.i18n import pick
from service.db import Database
from service.errors import NotFound


async def booking_download(db: Database, user: Principal, booking_id: int, base_url: str) -> bytes:
    """The booker gets their own view, managers theirs; anyone else learns nothing (404)."""
    async with db.connection() as conn:
        loaded = await load_booking(conn, booking_id)
    if loaded is None:
        raise NotFound(f"Booking {booking_id} does not exist.")
    row = loaded.ics.row
    variant: Variant
    if user.can_manage_instrument(row.instrument_id, loaded.institution_id):
        variant = "manager"
    elif loaded.user_id == user.user_id and row.kind == "booking":
        variant = "user"
    else:
        raise NotFound(f"Booking {booking_id} does not exist.")
    return single_booking_ics(loaded.ics, user.language, variant, base_url)


async def instrument_export(
    db: Database,
    user: Principal,
    instrument_id: int,
    *,
    past_days: int,
    future_days: int,
    base_url: str,
    now: datetime,
) -> bytes:
    """What the managers' feed shows, as a one-off download (no token needed)."""
    await load_managed_instrument(db, user, instrument_id)
    window = feed_window(now, past_days, future_days)
    async with db.transaction() as conn:
        await use_custom_plans(conn)
        names = await conn.fetchrow(sql.INSTRUMENT_NAMES, instrument_id)
        records = await conn.fetch(
            sql.rows_sql("instrument"), instrument_id, window[0], window[1], cancelled_cutoff(now)
        )
    language = user.language
    rows = [EventRow(*r) for r in records]
    events = await EVENT_CACHE.render_all(rows, language, "manager", base_url)
    name = f"{pick(language, names['name_zh'], names['name_en'])} — {field('instrument_feed', language)}"
    return assemble(name, events)
