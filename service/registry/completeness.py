"""Which fields the registry requires that an instrument's record lacks (pure).

Required here: every field the registry checks before it accepts a record, with its limits
(technical ≤ 500 and function ≤ 300 characters, one to four disciplines, a 小类 code, an asset
number for instruments of 50万元 and more). Descriptive extras (English name, affiliation,
achievements, county, street, postal code, image) are not required; `serviceUrl` and the
province and city always come from the platform itself.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec

#: Instruments of this original value (万元) and more need an asset number in the registry.
INNER_ID_FROM = Decimal("50")
MAX_TECHNICAL = 500
MAX_FUNCTION = 300

_REQUIRED_TEXT = (
    ("cname", "name_zh"),
    ("instrSource", "source"),
    ("nation", "country_code"),
    ("manufacturer", "manufacturer"),
    ("beginDate", "service_start"),
    ("instrVersion", "model"),
    ("technical", "specs"),
    ("function", "functions"),
    ("serviceContent", "service_content"),
    ("requirement", "sharing_rules"),
    ("fee", "fee_standard"),
    ("contact", "contact_name"),
    ("phone", "contact_phone"),
    ("email", "contact_email"),
    ("address", "building"),
)


class Gap(msgspec.Struct, frozen=True):
    """One missing or unacceptable registry field of one instrument."""

    field: str
    reason: str


def gaps(row: dict[str, Any]) -> list[Gap]:
    found = [
        Gap(name, "missing")
        for name, column in _REQUIRED_TEXT
        if row.get(column) in (None, "")
        or (isinstance(row.get(column), str) and not row[column].strip())
    ]
    if row["original_value"] >= INNER_ID_FROM and not row["inner_id"].strip():
        found.append(Gap("innerId", "missing (required from 50万元)"))
    if len(row["category_code"]) < 6:
        found.append(Gap("instrCategory", "classified above the 小类 level"))
    if not 1 <= len(row["subject_codes"]) <= 4:
        found.append(Gap("subject", "one to four GB/T 13745 disciplines"))
    if len(row["specs"]) > MAX_TECHNICAL:
        found.append(Gap("technical", f"longer than {MAX_TECHNICAL} characters"))
    if len(row["functions"]) > MAX_FUNCTION:
        found.append(Gap("function", f"longer than {MAX_FUNCTION} characters"))
    return found
