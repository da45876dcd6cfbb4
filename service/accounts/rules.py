"""Pure account rules: email and password acceptance, login throttling, reminder lead times.

No I/O here; the time-dependent rule takes `now` as an argument so it is testable without a
clock or a database.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime, timedelta

from service.common.schemas import Violation

MIN_PASSWORD_LENGTH = 10
MAX_EMAIL_LENGTH = 254
MAX_REMINDER_LEADS = 5
MIN_REMINDER_LEAD = 5
MAX_REMINDER_LEAD = 7 * 24 * 60

# Deliberately simple: one "@", no whitespace, a dotted domain of letters, digits and hyphens.
# Deliverability is proven by mail, not by a regular expression.
_EMAIL = re.compile(
    r"^[^@\s\x00-\x1f]{1,64}@(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
    r"[A-Za-z]{2,63}$"
)


def normalise_email(email: str) -> str:
    """The one form an address is stored and compared in: NFKC (so a full-width copy of an
    address is the address itself), then lower case, as the unique index on lower(email)
    compares them."""
    return unicodedata.normalize("NFKC", email).strip().lower()


def email_violations(email: str) -> list[Violation]:
    if len(email) > MAX_EMAIL_LENGTH or not _EMAIL.match(email):
        return [Violation("email", "The email address is not valid.")]
    return []


def password_violations(password: str, email: str) -> list[Violation]:
    found: list[Violation] = []
    if len(password) < MIN_PASSWORD_LENGTH:
        found.append(
            Violation("password", f"The password needs at least {MIN_PASSWORD_LENGTH} characters.")
        )
    if normalise_email(password) == normalise_email(email):
        found.append(Violation("password", "The password must not be the email address."))
    return found


def display_name_violations(name: str) -> list[Violation]:
    if not name.strip():
        return [Violation("display_name", "The display name must not be blank.")]
    return []


def normalise_reminder_leads(leads: Sequence[int]) -> list[int]:
    """Distinct lead times, longest first; an empty list means reminders are off."""
    return sorted(set(leads), reverse=True)


def reminder_violations(leads: Sequence[int]) -> list[Violation]:
    if len(set(leads)) > MAX_REMINDER_LEADS:
        return [Violation("reminder_lead_minutes", "At most 5 reminder lead times.")]
    if any(not MIN_REMINDER_LEAD <= lead <= MAX_REMINDER_LEAD for lead in leads):
        return [
            Violation(
                "reminder_lead_minutes",
                f"Lead times are between {MIN_REMINDER_LEAD} and {MAX_REMINDER_LEAD} minutes.",
            )
        ]
    return []


#: The first delay once the free failures are used up; each further failure doubles it.
FIRST_DELAY = timedelta(seconds=30)


def delay_seconds(failures: Sequence[datetime], now: datetime, free: int, window: timedelta) -> int:
    """Seconds until another attempt is allowed; 0 when one is allowed now.

    Failures count while they lie inside the window. The first `free` cost nothing; after
    that each failure must be followed by a pause that doubles with every further failure
    (30 s, 1 min, 2 min, ...) up to the window, counted from the latest failure. So a guesser
    is slowed down ever more, while nobody is locked out for longer than the window.
    """
    recent = [f for f in failures if now - window < f <= now]
    excess = len(recent) - max(1, free)
    if excess < 0:
        return 0
    pause = min(window, FIRST_DELAY * (1 << min(excess, 30)))
    lifts_at = max(recent) + pause
    return max(0, math.ceil((lifts_at - now).total_seconds()))
