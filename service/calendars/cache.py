"""A bounded in-process cache of rendered events.

Why in process memory and not a table: a rendered event is derived data that is cheap to
rebuild (~0.2 ms) but not free, and the point of caching is to avoid work on the hot path; a
table would put a second, larger round trip on every feed request and need its own cleanup.
Each worker warms its own copy within a refresh or two, and nothing is lost on restart.

The first build of a large feed renders every event (1,831 events took 1.24 s), so misses are
rendered in a worker thread (`render_all`): the event loop keeps serving other requests, and
the cache itself is only touched on the loop, so it needs no lock.

Key: (booking id, version, language, variant, base URL). The version alone is not enough:
an instrument renamed or a room moved changes the event without touching the booking, so the
entry also keeps the exact `EventRow` it was rendered from and is used only when the current
row is equal (a tuple comparison, ~100 times cheaper than rendering).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Sequence

from service.calendars.render import RENDER_VERSION, EventRow, Variant, render_event

CacheKey = tuple[int, int, str, str, str, int]
#: Fewer misses than this are rendered on the loop: a thread hop would cost more than them.
THREAD_AFTER_MISSES = 32


class EventCache:
    def __init__(self, max_entries: int = 50_000) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[CacheKey, tuple[EventRow, bytes]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()

    def lookup(self, row: EventRow, language: str, variant: Variant, base_url: str) -> bytes | None:
        key = (row.booking_id, row.version, language, variant, base_url, RENDER_VERSION)
        entry = self._entries.get(key)
        if entry is not None and entry[0] == row:
            self.hits += 1
            self._entries.move_to_end(key)
            return entry[1]
        self.misses += 1
        return None

    def put(
        self, row: EventRow, language: str, variant: Variant, base_url: str, *, text: bytes
    ) -> None:
        key = (row.booking_id, row.version, language, variant, base_url, RENDER_VERSION)
        self._entries[key] = (row, text)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def get(self, row: EventRow, language: str, variant: Variant, base_url: str) -> bytes:
        text = self.lookup(row, language, variant, base_url)
        if text is None:
            text = render_event(row, language, variant, base_url)
            self.put(row, language, variant, base_url, text=text)
        return text

    async def render_all(
        self, rows: Sequence[EventRow], language: str, variant: Variant, base_url: str
    ) -> list[bytes]:
        """Every row's event text, in order; many misses are rendered in a worker thread."""
        texts = [self.lookup(row, language, variant, base_url) for row in rows]
        missing = [i for i, text in enumerate(texts) if text is None]
        todo = [rows[i] for i in missing]

        def render() -> list[bytes]:
            return [render_event(row, language, variant, base_url) for row in todo]

        rendered = await asyncio.to_thread(render) if len(todo) >= THREAD_AFTER_MISSES else render()
        for index, row, text in zip(missing, todo, rendered, strict=True):
            self.put(row, language, variant, base_url, text=text)
            texts[index] = text
        return [text for text in texts if text is not None]


#: One per process; feeds of all users share it (entries differ by variant and language).
EVENT_CACHE = EventCache()
