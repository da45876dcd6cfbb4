"""Which events a reader asks for: the shape the web page, the API route and the store share,
so a page can build one without reaching into the store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Which events to read. `action` matches the action or any action below it
    (`login` matches `login.failed`)."""

    action: str | None = None
    institution_id: int | None = None
    subject_user_id: int | None = None
    actor_user_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None
