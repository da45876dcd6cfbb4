"""Shared pieces of the scheduler, reminder and outbox tests: a real SMTP server (aiosmtpd) that
records what it receives, bookings written straight to the table, and a delivery loop that a
test can run as a separate process and kill.

Run as a module it is that delivery loop:
    python -m tests.scheduler_support DATABASE_URL SMTP_URL BATCH_SIZE
"""

from __future__ import annotations

import asyncio
import dataclasses
import email
import email.policy
import socket
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from service.db import Database
from service.settings import Settings
from tests.factories import make_institution, make_instrument, make_user


class Sink:
    """An aiosmtpd handler: accepts (or refuses) every message and keeps what it accepted."""

    def __init__(
        self, refuse: str | None = None, delay: float = 0.0, hold_at: int | None = None
    ) -> None:
        self.refuse = refuse
        self.delay = delay
        #: Keep the sender of the `hold_at`-th message waiting for its reply (it was received):
        #: a test kills the sender meanwhile, as if it crashed just before recording success.
        self.hold_at = hold_at
        self.holding = threading.Event()
        self.released = threading.Event()
        self.messages: list[EmailMessage] = []
        self.refused = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.refuse:
            with self._lock:
                self.refused += 1
            return self.refuse
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append(message)
            hold = len(self.messages) == self.hold_at
        if hold:
            self.holding.set()
            for _ in range(200):
                if self.released.is_set():
                    break
                await asyncio.sleep(0.025)
        return "250 OK"

    def ids(self) -> Counter[str]:
        with self._lock:
            return Counter(str(m["Message-ID"]) for m in self.messages)

    def by_id(self, message_id: str) -> EmailMessage:
        with self._lock:
            return next(m for m in self.messages if m["Message-ID"] == message_id)


async def eventually(predicate: Callable[[], bool], seconds: float = 10.0) -> None:
    """Poll `predicate` until it holds; fail the test after `seconds`."""
    for _ in range(int(seconds / 0.02)):
        if predicate():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not reached in time")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SmtpServer:
    def __init__(self, sink: Sink, port: int | None = None) -> None:
        self.sink = sink
        self.port = port or free_port()
        self.controller = Controller(sink, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer(Sink()) as server:
        yield server


async def close_mail_circuit(db: Database) -> None:
    """The mail circuit breaker is shared by everything using the database: a test that opened
    it (an unreachable server) must not hold up the next test's mail."""
    await db.execute(
        """UPDATE mail_circuit SET state = 'closed', opened_at = NULL, probe_at = NULL,
                                   failed_probes = 0, last_error = '' WHERE id = 1"""
    )


@pytest.fixture
async def mail_settings(settings: Settings, smtp: SmtpServer, db: Database) -> Settings:
    await close_mail_circuit(db)
    return dataclasses.replace(settings, smtp_url=smtp.url)


def outbox_message_id(outbox_id: int) -> str:
    return f"<outbox-{outbox_id}@instrument-share.org>"


@dataclasses.dataclass
class Scene:
    """An institution with one instrument and one booker."""

    institution_id: int
    instrument_id: int
    user_id: int
    email: str


async def make_scene(
    db: Database, *, leads: list[int] | None = None, language: str = "zh-CN"
) -> Scene:
    inst = await make_institution(db)
    instrument = await make_instrument(db, inst, building="化学楼", room="101")
    user = await make_user(db, inst, language=language)
    if leads is not None:
        await db.execute(
            "UPDATE app_user SET reminder_lead_minutes = $2 WHERE id = $1", user.id, leads
        )
    return Scene(inst, instrument, user.id, user.email)


async def make_booking(
    db: Database,
    scene: Scene,
    starts_at: datetime,
    *,
    minutes: int = 60,
    status: str = "confirmed",
    **columns: Any,
) -> int:
    values = {
        "instrument_id": scene.instrument_id,
        "user_id": scene.user_id,
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(minutes=minutes),
        "occupied_until": starts_at + timedelta(minutes=minutes),
        "status": status,
        "booker_institution_id": scene.institution_id,
        "booker_region_code": "220100",
        **columns,
    }
    names = ", ".join(values)
    params = ", ".join(f"${i}" for i in range(1, len(values) + 1))
    return int(
        await db.fetchval(
            f"INSERT INTO booking ({names}) VALUES ({params}) RETURNING id", *values.values()
        )
    )


async def insert_bookings(db: Database, scene: Scene, first: datetime, count: int) -> list[int]:
    """`count` confirmed 20-minute bookings, one every 30 minutes from `first`."""
    rows = await db.fetch(
        """INSERT INTO booking (instrument_id, user_id, starts_at, ends_at, occupied_until,
                                status, booker_institution_id, booker_region_code)
           SELECT $1, $2, t.s, t.s + interval '20 minutes', t.s + interval '20 minutes',
                  'confirmed', $4, '220100'
           FROM (SELECT $3::timestamptz + g * interval '30 minutes' AS s
                 FROM generate_series(0, $5::int - 1) AS g) AS t
           RETURNING id""",
        scene.instrument_id,
        scene.user_id,
        first,
        scene.institution_id,
        count,
    )
    return [r["id"] for r in rows]


async def outbox_rows(db: Database, booking_ids: list[int]) -> list[Any]:
    return await db.fetch(
        """SELECT * FROM notification_outbox WHERE booking_id = ANY($1::bigint[])
           ORDER BY id""",
        booking_ids,
    )


async def _delivery_loop(database_url: str, smtp_url: str, batch_size: int) -> None:
    from service.common.time import utcnow
    from service.notifications.delivery import deliver_outbox

    db = Database(database_url, 1, 2)
    await db.connect()
    settings = Settings(database_url=database_url, smtp_url=smtp_url, environment="test")
    print("ready", flush=True)
    idle_since = time.monotonic()
    while time.monotonic() - idle_since < 30:
        result = await deliver_outbox(db, settings, utcnow(), batch_size=batch_size)
        if result.counts:
            idle_since = time.monotonic()
        await asyncio.sleep(0.05)
    await db.close()


if __name__ == "__main__":
    asyncio.run(_delivery_loop(sys.argv[1], sys.argv[2], int(sys.argv[3])))


def text_of(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def html_of(message: EmailMessage) -> str:
    body = message.get_body(("html",))
    assert body is not None
    return str(body.get_content())
