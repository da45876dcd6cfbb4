"""A bounded in-process cache of rendered events.

Why in process memory and not a table: a rendered event is derived data that is cheap to
rebuild (~0.2 ms) but not free, and the point of caching is to avoid work on the hot path; a
table would put a second, larger round trip on every feed request and need its own cleanup.
Each worker warms its own copy within a refresh or two, and nothing is lost on restart.

Key: (booking id, version, language, variant, base URL). The version alone is not enough:
an instrument renamed or a room moved changes the event without touching the booking, so the
entry also keeps the exact `EventRow` it was rendered from and is used only when the current
row is equal (a tuple comparison, ~100 times cheaper than rendering).
"""

from __future__ import annotations

from collections import OrderedDict

from service.calendars.render import RENDER_VERSION, EventRow, Variant, render_event

CacheKey = tuple[int, int, str, str, str, int]


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

    def get(self, row: EventRow, language: str, variant: Variant, base_url: str) -> bytes:
        key = (row.booking_id, row.version, language, variant, base_url, RENDER_VERSION)
        entry = self._entries.get(key)
        if entry is not None and entry[0] == row:
            self.hits += 1
            self._entries.move_to_end(key)
            return entry[1]
        self.misses += 1
        text = render_event(row, language, variant, base_url)
        self._entries[key] = (row, text)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
        return text


#: One per process; feeds of all users share it (entries differ by variant and language).
EVENT_CACHE = EventCache()
