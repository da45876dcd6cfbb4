"""The fee a user would pay on an instrument, before booking: the same class and hourly rate
the booking engine writes into the booking (`admission.terms`), so the estimate shown on the form
is the one the booking will carry."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from service.accounts.principal import Principal
from service.bookings import rules, store
from service.db import Database


async def fee_terms(
    db: Database, user: Principal, instrument_id: int, now: datetime
) -> tuple[str, Decimal]:
    """(fee class, yuan per hour) for this user on this instrument under its policy in force."""
    async with db.connection() as conn:
        ctx = await store.context(conn, user, instrument_id, (now, now), now=now)
    klass = rules.fee_class(ctx.inst, ctx.booker)
    return klass, rules.fee_per_hour(ctx.policy, klass)
