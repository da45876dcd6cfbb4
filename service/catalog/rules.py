"""Pure catalogue rules: registry field checks, list filters and who may write what.

No I/O here; `today` is passed in so tests can pin it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

import msgspec

from service.accounts.principal import Principal
from service.common.schemas import Violation

#: `common.codes.SHARE_MODES` in the order the catalogue names them in messages and docs.
SHARE_MODES = ("internal", "external", "none")
STATUSES = (
    "normal",
    "standby",
    "remote",
    "occasional_fault",
    "frequent_fault",
    "awaiting_repair",
    "awaiting_scrap",
)
TYPES = ("general", "special")
SORTS = ("relevance", "name", "value", "-value", "newest", "region")
#: numeric(12, 2)
MAX_VALUE = Decimal("9999999999.99")


class InstrumentFilters(msgspec.Struct, frozen=True):
    #: the search text as typed; `service.search` plans it
    q: str = ""
    region: str | None = None
    institution: int | None = None
    category: str | None = None
    share_modes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    value_min: Decimal | None = None
    value_max: Decimal | None = None
    instrument_type: str | None = None
    include_retired: bool = False
    #: default: "relevance" when searching, else "name"
    sort: str = "name"


def _enum_list(
    name: str, raw: str | None, allowed: tuple[str, ...]
) -> tuple[tuple[str, ...], list[Violation]]:
    """A comma-separated list of enum values; every unknown one is reported with the allowed set."""
    if raw is None or raw.strip() == "":
        return (), []
    values = tuple(dict.fromkeys(v.strip() for v in raw.split(",") if v.strip()))
    bad = [v for v in values if v not in allowed]
    if bad:
        message = f"unknown {name} {', '.join(map(repr, bad))}; allowed: {', '.join(allowed)}"
        return (), [Violation(rule=name, message=message)]
    return values, []


def like_pattern(word: str) -> str:
    """`%word%` with LIKE's own metacharacters taken literally (escape character `\\`)."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def parse_filters(params: dict[str, Any]) -> tuple[InstrumentFilters, list[Violation]]:
    """Validate list parameters; returns every violation at once."""
    violations: list[Violation] = []
    modes, v1 = _enum_list("share_mode", params.get("share_mode"), SHARE_MODES)
    statuses, v2 = _enum_list("status", params.get("status"), STATUSES)
    violations += v1 + v2
    kind = params.get("type")
    if kind is not None and kind not in TYPES:
        violations.append(Violation("type", f"unknown type {kind!r}; allowed: {', '.join(TYPES)}"))
    sort = params.get("sort") or ("relevance" if params.get("q") else "name")
    if sort not in SORTS:
        violations.append(Violation("sort", f"unknown sort {sort!r}; allowed: {', '.join(SORTS)}"))
    vmin, vmax = params.get("value_min"), params.get("value_max")
    if vmin is not None and vmax is not None and vmin > vmax:
        violations.append(Violation("value_range", "value_min is greater than value_max"))
    for name, value in (("value_min", vmin), ("value_max", vmax)):
        if value is not None and (not value.is_finite() or value < 0):
            violations.append(Violation(name, f"{name} must be a number >= 0"))
    filters = InstrumentFilters(
        q=(params.get("q") or "").strip(),
        region=params.get("region") or None,
        institution=params.get("institution"),
        category=params.get("category") or None,
        share_modes=modes,
        statuses=statuses,
        value_min=vmin,
        value_max=vmax,
        instrument_type=kind,
        include_retired=bool(params.get("include_retired")),
        sort=sort,
    )
    return filters, violations


def check_value(value: Decimal) -> list[Violation]:
    """Original value in 万元: finite, not negative, at most two decimals, fits numeric(12,2)."""
    try:
        ok = value.is_finite() and value >= 0 and value <= MAX_VALUE
        decimals = -int(value.normalize().as_tuple().exponent) if ok else 0
    except (InvalidOperation, TypeError):
        ok, decimals = False, 0
    if not ok:
        return [Violation("original_value", f"must be between 0 and {MAX_VALUE} (万元)")]
    if decimals > 2:
        return [Violation("original_value", "at most two decimals (万元)")]
    return []


def check_photo_url(url: str) -> list[Violation]:
    if not url:
        return []
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return [Violation("photo_url", "must be an absolute http(s) URL")]
    return []


def latest_today(now: datetime) -> date:
    """The calendar date somewhere on Earth right now (UTC+14): a start of service is "in the
    future" only if it is after that, whatever the zone of the person typing it."""
    return (now + timedelta(hours=14)).date()


def parse_if_match(header: str | None) -> int | None:
    """The version named by an `If-Match` header (`"7"` or `W/"7"`); -1 if it names none."""
    if header is None or header.strip() == "*":
        return None
    tag = header.strip().removeprefix("W/").strip('"')
    return int(tag) if tag.isdigit() else -1


def etag(version: int) -> str:
    return f'"{version}"'


def check_service_start(start: date | None, today: date) -> list[Violation]:
    if start is not None and start > today:
        return [Violation("service_start", "the start of service cannot be in the future")]
    return []


def check_instrument_fields(fields: dict[str, Any], today: date) -> list[Violation]:
    """Checks msgspec cannot express; applied to a full create body or a PATCH subset."""
    violations: list[Violation] = []
    if "original_value" in fields:
        violations += check_value(fields["original_value"])
    if "photo_url" in fields:
        violations += check_photo_url(fields["photo_url"])
    if "service_start" in fields:
        violations += check_service_start(fields["service_start"], today)
    return violations


def can_create_instrument(user: Principal, institution_id: int) -> bool:
    return user.is_admin_of(institution_id)


def can_edit_instrument(user: Principal, instrument_id: int, institution_id: int) -> bool:
    return user.can_manage_instrument(instrument_id, institution_id)


def can_move_instrument(user: Principal, from_institution: int, to_institution: int) -> bool:
    """Moving an instrument is an admin act on both sides; a manager alone may never do it."""
    return user.is_admin_of(from_institution) and user.is_admin_of(to_institution)
