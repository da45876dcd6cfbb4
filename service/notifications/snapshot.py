"""What a booking notice says, fixed when the notice is written.

A notice is written in the transaction of the change it announces, so the booking row that
transaction sees *is* the event: status, version, times, instrument, place, the people an
invitation names. That row is copied into the outbox payload (`payload["booking"]`) by the
same statement that writes the notice, and the mail is rendered from the copy alone. A booking
approved and then cancelled before the next delivery tick thus yields a confirmation that says
"confirmed" with SEQUENCE n and a cancellation that says "cancelled" with SEQUENCE n + 1, never
a confirmation built from the cancelled row. (Delivery still reads the live booking, only to
decide whether a notice is still worth sending: see `rules.expiry_reason`.)

Timestamps are stored as ISO 8601 text (`to_jsonb(timestamptz)` in the UTC session zone).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from service.calendars.render import EventRow


@dataclass(frozen=True, slots=True)
class BookingSnapshot:
    """The booking as the notice saw it."""

    row: EventRow
    timezone: str
    booker_email: str
    organizer_email: str
    organizer_name: str

    @property
    def id(self) -> int:
        return self.row.booking_id

    @property
    def status(self) -> str:
        return self.row.status

    @property
    def version(self) -> int:
        return self.row.version

    @property
    def starts_at(self) -> datetime:
        return self.row.starts_at

    @property
    def ends_at(self) -> datetime:
        return self.row.ends_at

    @property
    def location(self) -> str:
        return " ".join(part for part in (self.row.building, self.row.room) if part)


def _when(value: Any) -> datetime:
    return datetime.fromisoformat(str(value))


def booking_snapshot(payload: dict[str, Any]) -> BookingSnapshot | None:
    """The snapshot stored with a notice, or None for notices about no booking."""
    data = payload.get("booking")
    if not isinstance(data, dict):
        return None
    row = EventRow(
        booking_id=int(data["id"]),
        kind=str(data["kind"]),
        status=str(data["status"]),
        version=int(data["version"]),
        starts_at=_when(data["start"]),
        ends_at=_when(data["end"]),
        created_at=_when(data["created_at"]),
        updated_at=_when(data["updated_at"]),
        instrument_id=int(data["instrument_id"]),
        instrument_zh=str(data["instrument_zh"]),
        instrument_en=str(data["instrument_en"]),
        building=str(data["building"]),
        room=str(data["room"]),
        institution_zh=str(data["institution_zh"]),
        institution_en=str(data["institution_en"]),
        booker_name=data.get("booker_name"),
        purpose=data.get("purpose"),
        service_way=data.get("service_way"),
    )
    return BookingSnapshot(
        row=row,
        timezone=str(data["timezone"]),
        booker_email=str(data["booker_email"]),
        organizer_email=str(data.get("organizer_email") or ""),
        organizer_name=str(data.get("organizer_name") or ""),
    )
