"""Time conventions: instants are aware UTC datetimes, intervals are half-open `[start, end)`,
local wall-clock time exists only at the edges (rules, display), in the instrument's IANA zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class Instant(datetime):
    """An instant as clients must send it: an ISO 8601 string with a UTC offset.

    A plain `datetime` field would also accept integer epochs (msgspec's lax conversion) and, in
    query parameters, naive times; the app registers `instant_dec_hook` for this type so both
    are refused with 422, and the OpenAPI schema documents it as a `date-time` string.
    """


def parse_instant(value: object) -> Instant:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(f"not an ISO 8601 date-time: {value!r}") from exc
    else:
        raise TypeError("a date-time must be an ISO 8601 string with a UTC offset")
    if parsed.utcoffset() is None:
        raise ValueError("a date-time needs a UTC offset, e.g. 2030-01-07T09:00:00+08:00")
    return Instant(
        parsed.year, parsed.month, parsed.day, parsed.hour, parsed.minute, parsed.second,
        parsed.microsecond, tzinfo=parsed.tzinfo, fold=parsed.fold,
    )  # fmt: skip


def is_instant(type_: Any) -> bool:
    return type_ is Instant


def instant_dec_hook(type_: type, value: object) -> object:
    """msgspec `dec_hook` for code that converts into request schemas itself (the web forms)."""
    if type_ is Instant:
        return parse_instant(value)
    raise NotImplementedError(f"no decoder for {type_!r}")


def instant_enc_hook(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    raise NotImplementedError(f"cannot encode {type(value)!r}")


#: A datetime that must carry a UTC offset; naive values and numbers are refused with 422.
AwareDatetime = Instant


def utcnow() -> datetime:
    return datetime.now(UTC)


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def local_to_utc(day: date, wall: time, tz: ZoneInfo) -> datetime:
    """Local wall-clock time to a UTC instant.

    A wall time skipped by a DST jump (e.g. 02:30 on the spring-forward day) is moved forward
    by the gap, as calendar clients do; an ambiguous one takes the first occurrence (fold=0).
    """
    local = datetime.combine(day, wall, tzinfo=tz)
    roundtrip = local.astimezone(UTC).astimezone(tz)
    if roundtrip.replace(tzinfo=None) != local.replace(tzinfo=None):
        local = local + (roundtrip.utcoffset() or timedelta()) - (local.utcoffset() or timedelta())
    return local.astimezone(UTC)


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Half-open intervals: `[9,10)` and `[10,11)` do not overlap."""
    return a_start < b_end and b_start < a_end


def local_days(start: datetime, end: datetime, tz: ZoneInfo) -> list[date]:
    """The local dates touched by `[start, end)`."""
    first = start.astimezone(tz).date()
    last = (end - timedelta(microseconds=1)).astimezone(tz).date()
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
