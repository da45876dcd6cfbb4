"""The booker hears why a manager cancelled their booking: the reason is in the mail."""

from __future__ import annotations

import httpx

from service.common.time import utcnow
from service.db import Database
from service.notifications.delivery import deliver_outbox
from service.settings import Settings
from tests.bookings_support import book, future_day, local, make_world
from tests.scheduler_support import (
    SmtpServer,
    mail_settings,  # noqa: F401 - fixture
    smtp,  # noqa: F401 - fixture
)


async def test_the_cancellation_mail_carries_the_managers_reason_to_the_booker(
    client: httpx.AsyncClient,
    db: Database,
    mail_settings: Settings,  # noqa: F811
    smtp: SmtpServer,  # noqa: F811
) -> None:
    w = await make_world(db, approval="none")
    day = future_day(9)
    booking = (await book(client, w.outsider, w.instrument, local(day, 9), local(day, 10))).json()
    why = "The laser is being realigned that morning."
    cancelled = await client.post(
        f"/api/v1/bookings/{booking['id']}/cancel", json={"reason": why}, headers=w.manager.headers
    )
    assert cancelled.status_code == 200
    for _ in range(20):
        await deliver_outbox(db, mail_settings, utcnow())
        if any(m["To"] and w.outsider.email in str(m["To"]) for m in smtp.sink.messages):
            break
    mails = [m for m in smtp.sink.messages if w.outsider.email in str(m["To"])]
    texts = [m.get_body(preferencelist=("plain",)).get_content() for m in mails]  # type: ignore[union-attr]
    assert any(why in text for text in texts), texts
