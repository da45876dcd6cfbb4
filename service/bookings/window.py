"""Query-string times: Litestar does not apply `tz=True` to query parameters, so check here."""

from __future__ import annotations

from datetime import datetime

from service.errors import Unprocessable


def aware(value: datetime | None, name: str) -> datetime | None:
    if value is not None and value.utcoffset() is None:
        raise Unprocessable(
            f"'{name}' needs a UTC offset, e.g. 2027-01-04T09:00:00+08:00.",
            extra={
                "errors": [{"key": name, "message": "a time without an offset", "source": "query"}]
            },
        )
    return value
