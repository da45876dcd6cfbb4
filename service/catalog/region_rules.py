"""Pure checks on a region an admin adds or edits: code format, names, an IANA zone, WGS 84
coordinates of its seat. Every problem is returned at once."""

from __future__ import annotations

import re
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from service.common.schemas import Violation

#: Same rule as the table's CHECK: an administrative code (220100) or a partner code (RU-VVO).
CODE = re.compile(r"^[0-9A-Z][0-9A-Z-]{1,15}$")


@cache
def zones() -> frozenset[str]:
    return frozenset(available_timezones())


def check_region(fields: dict[str, Any]) -> list[Violation]:
    found: list[Violation] = []
    if "code" in fields and not CODE.match(str(fields["code"])):
        found.append(Violation("code", "2-16 characters: digits, capital letters, '-'"))
    for name in ("name_zh", "name_en"):
        if name in fields and not 1 <= len(str(fields[name]).strip()) <= 100:
            found.append(Violation(name, "1 to 100 characters"))
    if "timezone" in fields and fields["timezone"] not in zones():
        found.append(Violation("timezone", f"{fields['timezone']!r} is not an IANA time zone name"))
    for name, limit in (("latitude", 90.0), ("longitude", 180.0)):
        value = fields.get(name)
        if value is not None and not -limit <= float(value) <= limit:
            found.append(Violation(name, f"between -{limit:g} and {limit:g} degrees"))
    return found
