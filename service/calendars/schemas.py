"""Request and response shapes of the calendar API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

#: The kinds of feed a token can name.
StoredScope = Literal["user", "instrument", "institution", "instrument_public"]

FeedScope = Literal["user", "instrument", "institution"]
Id = Annotated[int, msgspec.Meta(ge=1, le=2**62)]


class FeedIn(msgspec.Struct, forbid_unknown_fields=True):
    scope: FeedScope
    target_id: Id | None = None
    public: bool = False


class FeedCreatedOut(msgspec.Struct):
    """The only response that carries the secret: inside `url` and `webcal_url`."""

    id: int
    url: str
    webcal_url: str
    scope: FeedScope
    target_id: int
    public: bool
    created_at: datetime


class FeedOut(msgspec.Struct):
    id: int
    scope: FeedScope
    target_id: int
    public: bool
    created_at: datetime
    rotated_at: datetime | None
    last_used_at: datetime | None


class ConflictOut(msgspec.Struct):
    kind: Literal["booking", "maintenance", "import"]
    start: datetime
    end: datetime
    booking_id: int | None = None


class ImportedEventOut(msgspec.Struct):
    uid: str
    summary: str
    start: datetime | None
    end: datetime | None
    outcome: Literal["created", "would_create", "conflict", "invalid"]
    booking_id: int | None = None
    conflicts: list[ConflictOut] = msgspec.field(default_factory=list)
    message: str | None = None


class ImportReportOut(msgspec.Struct):
    dry_run: bool
    window_start: datetime
    window_end: datetime
    created: int
    conflicting: int
    invalid: int
    events: list[ImportedEventOut]
