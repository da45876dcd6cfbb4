"""Form shapes of the pages and the conversions the browser's inputs need.

`<input type="datetime-local">` sends wall-clock time without an offset; it is read in the
instrument's zone (where the booking rules apply), never in the server's.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

import msgspec
from litestar import Request

from service.common.codes import ServiceWay
from service.common.time import local_to_utc

Token = Annotated[str, msgspec.Meta(max_length=200)]
Text = Annotated[str, msgspec.Meta(max_length=2000)]
Short = Annotated[str, msgspec.Meta(max_length=300)]
HHMM = re.compile(r"^([01]?[0-9]|2[0-4]):[0-5][0-9]$")


class LoginForm(msgspec.Struct):
    email: Annotated[str, msgspec.Meta(max_length=254)] = ""
    password: Annotated[str, msgspec.Meta(max_length=1024)] = ""
    next: Short = ""
    csrf_token: Token = ""


class RegisterForm(msgspec.Struct):
    email: Annotated[str, msgspec.Meta(max_length=254)] = ""
    password: Annotated[str, msgspec.Meta(max_length=1024)] = ""
    display_name: Annotated[str, msgspec.Meta(max_length=100)] = ""
    institution_id: Annotated[int, msgspec.Meta(ge=0, le=2**62)] = 0
    csrf_token: Token = ""


class LanguageForm(msgspec.Struct):
    language: Literal["zh-CN", "en"] = "zh-CN"
    next: Short = "/"
    csrf_token: Token = ""


class BookingForm(msgspec.Struct):
    start: Annotated[str, msgspec.Meta(max_length=40)] = ""
    end: Annotated[str, msgspec.Meta(max_length=40)] = ""
    service_way: ServiceWay = "occupy"
    purpose: Text = ""
    repeat: Literal["", "DAILY", "WEEKLY"] = ""
    count: Annotated[int, msgspec.Meta(ge=1, le=52)] = 1
    repeat_mode: Literal["all_or_nothing", "skip_conflicts"] = "all_or_nothing"
    #: Managers only: the e-mail of the user booked for (empty: oneself), and a reason to book
    #: outside the rules (empty: the rules apply).
    for_email: Annotated[str, msgspec.Meta(max_length=254)] = ""
    override_reason: Annotated[str, msgspec.Meta(max_length=1000)] = ""
    csrf_token: Token = ""


class ReasonForm(msgspec.Struct):
    reason: Annotated[str, msgspec.Meta(max_length=1000)] = ""
    csrf_token: Token = ""


def safe_next(target: str, default: str = "/instruments") -> str:
    """Only same-site paths, so a crafted link cannot bounce a login to another site."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def parse_local(value: str, tz: ZoneInfo) -> datetime | None:
    """`2026-12-01T09:00` (wall clock in `tz`) or an ISO value with an offset → UTC; None if bad."""
    value = value.strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        return parsed
    try:
        return local_to_utc(parsed.date(), parsed.time(), tz)
    except OverflowError:  # 0001-01-01T00:00 east of UTC is before year 1
        return None


def local_input(day: date, wall: time) -> str:
    return datetime.combine(day, wall).strftime("%Y-%m-%dT%H:%M")


class PreferencesForm(msgspec.Struct):
    display_name: Annotated[str, msgspec.Meta(max_length=100)] = ""
    language: Literal["zh-CN", "en"] = "zh-CN"
    reminders: Literal["on", "off"] = "on"
    phone: Annotated[str, msgspec.Meta(max_length=60)] = ""
    csrf_token: Token = ""


class RatingForm(msgspec.Struct):
    rating: Annotated[int, msgspec.Meta(ge=0, le=5)] = 0
    comment: Annotated[str, msgspec.Meta(max_length=1000)] = ""
    csrf_token: Token = ""


async def form_ints(request: Request[Any, Any, Any], name: str, limit: int = 50) -> list[int]:
    """Every integer value of a repeated form field (ticked checkboxes); others are dropped."""
    values = await form_strings(request, name, limit)
    return [int(v) for v in values if v.strip().isdigit() and len(v.strip()) < 9]


HOURS_SPLIT = re.compile(r"[,，;；\s]+")
DASHES = re.compile(r"\s*[-–—~～]\s*")


def hours_text(intervals: list[tuple[str, str]]) -> str:
    """`[("08:30", "12:00"), ("13:30", "17:30")]` → `08:30-12:00, 13:30-17:30`."""
    return ", ".join(f"{opens}-{closes}" for opens, closes in intervals)


#: Range words a Chinese input method leaves between two times (`09:00至12:00`).
RANGE_WORDS = re.compile(r"\s*(?:至|到)\s*")


def normalise_hours_text(text: str) -> str:
    """What a Chinese input method types (`０９：００－１２：００`, `09：00～12：00`, `9:00至12:00`) as
    plain `09:00-12:00`: full-width digits, colons and dashes folded (NFKC), range words and
    wave dashes made hyphens."""
    folded = unicodedata.normalize("NFKC", text).replace("〜", "~")
    return DASHES.sub("-", RANGE_WORDS.sub("-", folded.strip()))


def parse_hours_text(weekday: int, text: str) -> tuple[list[dict[str, Any]], list[str]]:
    """One weekday's `08:30-12:00, 13:30-17:30` → interval dicts, and the parts not understood.

    The service checks the times themselves (order, overlaps); this only splits the text.
    """
    intervals: list[dict[str, Any]] = []
    bad: list[str] = []
    for part in HOURS_SPLIT.split(normalise_hours_text(text)):
        if not part:
            continue
        opens, sep, closes = part.partition("-")
        if not sep or not HHMM.match(opens) or not HHMM.match(closes):
            bad.append(part)
            continue
        intervals.append({"weekday": weekday, "opens": opens.zfill(5), "closes": closes.zfill(5)})
    return intervals, bad


Num = Annotated[str, msgspec.Meta(max_length=20)]


class PolicyForm(msgspec.Struct):
    """The policy editor's fields as typed; `policy_values` turns them into a `PolicyIn` dict.
    Service ways come as repeated checkboxes, read separately."""

    min_minutes: Num = ""
    max_minutes: Num = ""
    granularity_minutes: Num = ""
    min_notice_minutes: Num = ""
    horizon_days: Num = ""
    buffer_minutes: Num = ""
    approval: Literal["none", "external", "all"] = "external"
    approval_deadline_hours: Num = ""
    max_hours_per_day: Num = ""
    max_hours_per_week: Num = ""
    max_future_bookings: Num = ""
    max_bookings_per_day: Num = ""
    max_future_hours: Num = ""
    min_gap_minutes: Num = ""
    no_show_grace_minutes: Num = ""
    late_cancel_hours: Num = ""
    check_in_lead_minutes: Num = ""
    fee_internal: Num = ""
    fee_external_academic: Num = ""
    fee_enterprise: Num = ""
    #: One window a line: ISO weekday, then local "HH:MM-HH:MM" ("6 00:00-24:00").
    relaxed_windows: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    csrf_token: Token = ""


RELAXED_LINE = re.compile(r"^\s*([1-7])\s+(\d{2}:\d{2})\s*[-–]\s*(\d{2}:\d{2})\s*$")


def relaxed_windows(text: str) -> list[dict[str, Any]] | None:
    """The windows typed one a line, or None if a line is not "weekday HH:MM-HH:MM"."""
    out: list[dict[str, Any]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        match = RELAXED_LINE.match(line)
        if match is None:
            return None
        out.append({"weekday": int(match[1]), "start": match[2], "end": match[3]})
    return out


POLICY_INTS = ("min_minutes", "max_minutes", "granularity_minutes", "min_notice_minutes",
               "horizon_days", "buffer_minutes", "approval_deadline_hours", "late_cancel_hours",
               "max_future_bookings", "max_bookings_per_day", "min_gap_minutes",
               "no_show_grace_minutes", "check_in_lead_minutes")  # fmt: skip
POLICY_DECIMALS = ("max_hours_per_day", "max_hours_per_week", "max_future_hours", "fee_internal",
                   "fee_external_academic", "fee_enterprise")  # fmt: skip
OPTIONAL = {"max_hours_per_day", "max_hours_per_week", "max_future_bookings",
            "max_bookings_per_day", "max_future_hours"}  # fmt: skip


def policy_values(
    form: PolicyForm, ways: list[str], relaxed: list[str] | None = None
) -> tuple[dict[str, Any], list[str]]:
    """The `PolicyIn` members (empty optional limits = no limit), and the fields not numbers
    (or, for the relaxed windows, not lines of "weekday HH:MM-HH:MM")."""
    values: dict[str, Any] = {
        "approval": form.approval,
        "service_ways": ways,
        "relaxed_rules": relaxed or [],
    }
    bad: list[str] = []
    windows = relaxed_windows(form.relaxed_windows)
    if windows is None:
        bad.append("relaxed_windows")
    else:
        values["relaxed_windows"] = windows
    for name in POLICY_INTS + POLICY_DECIMALS:
        text = str(getattr(form, name)).strip()
        if not text:
            if name in OPTIONAL:
                values[name] = None
            continue
        try:
            number = Decimal(text)
        except InvalidOperation:
            bad.append(name)
            continue
        if not number.is_finite() or (name in POLICY_INTS and number != number.to_integral()):
            bad.append(name)
            continue
        values[name] = int(number) if name in POLICY_INTS else str(number)
    return values, bad


async def form_strings(request: Request[Any, Any, Any], name: str, limit: int) -> list[str]:
    """The text values of a form field that may repeat (checkboxes), at most `limit`."""
    form = await request.form()
    return [v for v in form.getall(name, []) if isinstance(v, str)][:limit]


class ClosureForm(msgspec.Struct):
    day: Annotated[str, msgspec.Meta(max_length=20)] = ""
    reason: Annotated[str, msgspec.Meta(max_length=500)] = ""
    opens: Annotated[str, msgspec.Meta(max_length=5)] = ""
    closes: Annotated[str, msgspec.Meta(max_length=5)] = ""
    #: "" or "preview": add it unless bookings are in the way (then list them); "cancel": add
    #: it and cancel them, telling their users.
    confirm: Literal["", "preview", "cancel"] = ""
    csrf_token: Token = ""


class UsageForm(msgspec.Struct):
    """`booking_id`: a booking's id, `own` (the owning group) or `other` (the user by e-mail, or
    an institution); there is no default, so a late entry never falls back to the own group.
    An empty `service_way` keeps the booking's."""

    booking_id: Annotated[str, msgspec.Meta(max_length=20)] = ""
    start: Annotated[str, msgspec.Meta(max_length=40)] = ""
    end: Annotated[str, msgspec.Meta(max_length=40)] = ""
    service_way: Literal[""] | ServiceWay = ""
    samples: Annotated[int, msgspec.Meta(ge=0, le=1_000_000)] = 0
    amount: Annotated[str, msgspec.Meta(max_length=20)] = ""
    note: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    user_email: Annotated[str, msgspec.Meta(max_length=254)] = ""
    user_institution_id: Annotated[str, msgspec.Meta(max_length=20)] = ""
    csrf_token: Token = ""


def usage_who(form: UsageForm) -> dict[str, Any] | None:
    """The `UsageIn` members naming who used the instrument, or None when the form does not
    say (nothing chosen, or `other` without an address or institution)."""
    choice = form.booking_id.strip()
    if choice.isdigit():
        return {"booking_id": int(choice)}
    if choice == "own":
        return {}
    if choice == "other" and form.user_email.strip():
        return {"user_email": form.user_email.strip()}
    if choice == "other" and form.user_institution_id.strip().isdigit():
        return {"user_institution_id": int(form.user_institution_id)}
    return None
