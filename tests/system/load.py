"""Clients for the scenarios: one connection pool per server, every answer recorded.

An answer is either an HTTP status or a transport failure (the server died, the connection
was cut, nothing listened). Tallies print as `201=412 409=180 ConnectError=3`, so a failing
assertion shows the whole picture.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from tests.factories import UserHandle

PROBLEM_JSON = "application/problem+json"
#: A request still unanswered after this long counts as hung, not as a clean failure.
REQUEST_TIMEOUT = 20.0


@dataclass(frozen=True, slots=True)
class Answer:
    server: int
    status: int | None  # None: a transport failure, described in `error`
    body: Any
    error: str = ""
    content_type: str = ""
    at: float = 0.0

    @property
    def label(self) -> str:
        return str(self.status) if self.status is not None else self.error

    @property
    def final(self) -> bool:
        """A verdict the client can act on; 503 and transport failures call for a retry."""
        return self.status is not None and self.status != 503


@dataclass
class Tally:
    answers: list[Answer] = field(default_factory=list)
    _waiters: list[tuple[int, asyncio.Event]] = field(default_factory=list)

    def add(self, answer: Answer) -> Answer:
        self.answers.append(answer)
        for count, event in self._waiters:
            if len(self.answers) >= count:
                event.set()
        return answer

    async def reach(self, count: int) -> None:
        """Return once `count` answers are in."""
        event = asyncio.Event()
        self._waiters.append((count, event))
        if len(self.answers) >= count:
            event.set()
        await event.wait()

    def counts(self) -> Counter[str]:
        return Counter(a.label for a in self.answers)

    def count(self, status: int) -> int:
        return sum(1 for a in self.answers if a.status == status)

    def transport_failures(self) -> list[Answer]:
        return [a for a in self.answers if a.status is None]

    def __str__(self) -> str:
        ordered = sorted(self.counts().items(), key=lambda kv: (not kv[0].isdigit(), kv[0]))
        return " ".join(f"{label}={n}" for label, n in ordered) or "no answers"


def booking_body(instrument: int, start: datetime, end: datetime, purpose: str) -> dict[str, Any]:
    return {
        "instrument_id": instrument,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "purpose": purpose,
        "service_way": "occupy",
    }


class Fleet:
    """One `httpx.AsyncClient` per server; callers name the server by index."""

    def __init__(self, urls: Sequence[str], connections_per_server: int = 200) -> None:
        limits = httpx.Limits(max_connections=connections_per_server, max_keepalive_connections=50)
        self.clients = [
            httpx.AsyncClient(base_url=url, limits=limits, timeout=REQUEST_TIMEOUT) for url in urls
        ]

    def __len__(self) -> int:
        return len(self.clients)

    async def __aenter__(self) -> Fleet:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.gather(*(c.aclose() for c in self.clients))

    async def request(
        self,
        server: int,
        method: str,
        path: str,
        *,
        user: UserHandle | None = None,
        json: Any = None,
        key: str | None = None,
    ) -> Answer:
        headers = dict(user.headers) if user else {}
        if key is not None:
            headers["Idempotency-Key"] = key
        client = self.clients[server % len(self.clients)]
        try:
            response = await client.request(method, path, json=json, headers=headers)
        except httpx.TransportError as exc:
            return Answer(server, None, None, type(exc).__name__, at=time.monotonic())
        kind = response.headers.get("content-type", "")
        body = response.json() if "json" in kind and response.content else response.text
        return Answer(server, response.status_code, body, content_type=kind, at=time.monotonic())

    async def book(
        self, server: int, user: UserHandle, body: dict[str, Any], key: str | None = None
    ) -> Answer:
        return await self.request(server, "POST", "/api/v1/bookings", user=user, json=body, key=key)


async def book_until_final(
    fleet: Fleet,
    tally: Tally,
    first_server: int,
    user: UserHandle,
    body: dict[str, Any],
    key: str,
    deadline: float,
    pause: float = 0.1,
) -> Answer:
    """Send one booking with its Idempotency-Key; after a transport failure or a 503, send the
    same key and body to the next server, until a final answer or the deadline."""
    server = first_server
    while True:
        answer = tally.add(await fleet.book(server, user, body, key))
        if answer.final or time.monotonic() >= deadline:
            return answer
        server += 1
        await asyncio.sleep(pause)


async def poll_ready(
    fleet: Fleet,
    server: int,
    seen: list[tuple[float, str]],
    stop: asyncio.Event,
    every: float = 0.2,
) -> None:
    """Append (time, answer) for `/health/ready` of one server to `seen` until `stop`; the
    list is a live view, so a test can watch recovery while polling goes on."""
    while not stop.is_set():
        answer = await fleet.request(server, "GET", "/health/ready")
        seen.append((time.monotonic(), answer.label))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every)
