"""Helpers for the identity tests: mails delivered to the real SMTP test server, the links
they carry, and the outbox rows written for a user."""

from __future__ import annotations

import re
from email.message import EmailMessage

from service.common.time import utcnow
from service.db import Database
from service.notifications.delivery import deliver_outbox
from service.settings import Settings
from tests.scheduler_support import SmtpServer, outbox_message_id, text_of

LINK = re.compile(r"https?://\S+")


async def last_outbox_id(db: Database, user_id: int, kind: str) -> int | None:
    found = await db.fetchval(
        "SELECT max(id) FROM notification_outbox WHERE user_id = $1 AND kind = $2", user_id, kind
    )
    return int(found) if found is not None else None


async def deliver(
    db: Database, settings: Settings, smtp: SmtpServer, user_id: int, kind: str
) -> EmailMessage:
    """Send what is due and return the user's latest mail of `kind` as the server got it."""
    outbox_id = await last_outbox_id(db, user_id, kind)
    assert outbox_id is not None, f"no {kind} mail queued for user {user_id}"
    await deliver_outbox(db, settings, utcnow())
    return smtp.sink.by_id(outbox_message_id(outbox_id))


def link_in(message: EmailMessage) -> str:
    found = LINK.findall(text_of(message))
    assert found, text_of(message)
    return str(found[-1])


def token_of(link: str) -> str:
    return link.split("token=", 1)[1]
