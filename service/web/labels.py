"""Words of the pages that are not code lists (flashes, problem titles, weekdays …), marked for
translation with `N_` and translated by the templates with `_()`; the code lists' names are in
`service.common.labels`."""

from __future__ import annotations

from service.common.i18n import N_

#: The rules a policy's relaxed windows may switch off (`availability.schemas.RelaxedRule`).
RELAXABLE_RULES = {
    "max_duration": N_("Longest booking"),
    "horizon": N_("How far ahead one may book"),
    "daily_limit": N_("Hours per day"),
    "weekly_limit": N_("Hours per week"),
}
BUSY_KINDS = {
    "booking": N_("Booked"),
    "maintenance": N_("Maintenance"),
    "closed": N_("Closed"),
}
WEEKDAYS = {
    1: N_("Monday"),
    2: N_("Tuesday"),
    3: N_("Wednesday"),
    4: N_("Thursday"),
    5: N_("Friday"),
    6: N_("Saturday"),
    7: N_("Sunday"),
}
#: Messages shown after a redirect, chosen by the `ok` query parameter (never free text).
FLASHES = {
    "membership-approved": N_("The membership is verified; the person was told by mail."),
    "membership-rejected": N_("The claim is refused; the person was told by mail."),
    "logged-in": N_("You are logged in."),
    "registered": N_("Your account is ready; log in to continue."),
    "logged-out": N_("You are logged out."),
    "booked": N_("Your booking is made."),
    "booked-for": N_("The booking is made for the user; they are told by mail."),
    "requested": N_("Your request is sent; the instrument's manager will answer it."),
    "cancelled": N_("The booking is cancelled."),
    "rescheduled": N_("The booking is moved."),
    "rated": N_("Thank you for your rating."),
    "approved": N_("The request is approved."),
    "rejected": N_("The request is rejected."),
    "saved": N_("Saved."),
    "rotated": N_("Your calendar link is new; the old one no longer works."),
    "blocked": N_("The maintenance block is placed."),
    "checked-in": N_("Checked in."),
    "checked-out": N_("Checked out."),
    "no-show": N_("Marked as a no-show."),
    "no-show-undone": N_("The no-show is undone."),
    "imported": N_("The calendar is imported."),
    "hours-saved": N_("The opening hours are saved."),
    "closure-added": N_("The closure is added."),
    "closure-deleted": N_("The closure is removed."),
    "calendar-shared": N_("The shared calendar is saved."),
    "policy-saved": N_("The booking rules are saved."),
    "usage-saved": N_("The usage is recorded."),
    "survey-opened": N_("The survey is open; its invitations are on their way."),
    "survey-closed": N_("The survey is closed."),
    "usage-corrected": N_("The usage record is corrected; the figures follow at the next roll-up."),
    "usage-deleted": N_("The usage record is deleted; its values stay in the history."),
    "manager-granted": N_("The manager is added."),
    "manager-revoked": N_("The manager is removed."),
    "retried": N_("The message is queued again."),
    "password-set": N_("Your password is set; log in to continue."),
    "region-saved": N_("The region is saved."),
    "registry-saved": N_("The registry record is saved."),
    "password-reset": N_(
        "Your password is changed and every other session has ended; log in with the new one."
    ),
    "membership-confirmed": N_("Your membership of the institution is confirmed."),
}

#: The problem titles of the API (service/errors.py), shown translated on error pages.
PROBLEM_TITLES = [
    N_("Bad request"),
    N_("Authentication required"),
    N_("Forbidden"),
    N_("Not found"),
    N_("Conflict"),
    N_("Precondition failed"),
    N_("Unprocessable request"),
    N_("Invalid request"),
    N_("Invalid value"),
    N_("Too many requests"),
    N_("Service unavailable"),
    N_("Sign-on refused"),
    N_("Sign-on service unavailable"),
    N_("Server error"),
    N_("Method not allowed"),
    N_("Log in to see this page."),
    N_("You may not use this page."),
    N_("The form is missing its security token or it has expired; reload the page and try again."),
]


def flash(key: str | None) -> str | None:
    return FLASHES.get(key or "")


def label(table: dict[str, str], code: str) -> str:
    return table.get(code, code)


#: Reminder lead times offered on the account page (minutes before the booking starts).
REMINDER_LEADS = {
    15: N_("15 minutes before"),
    30: N_("30 minutes before"),
    60: N_("1 hour before"),
    120: N_("2 hours before"),
    180: N_("3 hours before"),
    1440: N_("1 day before"),
    2880: N_("2 days before"),
    10080: N_("1 week before"),
}
#: The registry's five satisfaction levels, best first (zh: 非常满意, 基本满意, 一般, 不满意, 极差).
RATINGS = [
    (5, N_("Very satisfied")),
    (4, N_("Basically satisfied")),
    (3, N_("Fair")),
    (2, N_("Dissatisfied")),
    (1, N_("Very poor")),
]
#: Where an instrument's effective policy comes from.
POLICY_SOURCES = {
    "instrument": N_("These rules are set for this instrument."),
    "institution": N_(
        "These are the institution's default rules; saving sets them for this instrument."
    ),
    "default": N_("These are the platform's default rules; saving sets them for this instrument."),
}
IMPORT_OUTCOMES = {
    "created": N_("Created"),
    "would_create": N_("Would be created"),
    "conflict": N_("Conflict: skipped"),
    "invalid": N_("Not usable"),
}
CONFLICT_KINDS = {**BUSY_KINDS, "import": N_("Another event of this file")}
#: The count-based ratios of the national evaluation (zh: 入网比例, 正常运行设备比例 …).
EVALUATION_RATIOS = {
    "registered_ratio": N_("Registered with a complete record"),
    "normal_ratio": N_("In normal running status"),
    "shared_ratio": N_("Shared at all"),
    "external_ratio": N_("Served outside users (actual)"),
    "declared_external_ratio": N_("Declared for external sharing"),
}
#: Which definition each figure uses: the pages' tooltips and their "definitions" list. The
#: placeholders are filled from the settings (`metrics_view.definition_texts`).
FIGURE_DEFINITIONS = {
    "effective_hours": N_(
        "Effective working hours: warm-up, measurement and necessary post-processing of finished usage sessions, split at local midnight; idle running is not recorded as use."
    ),
    "external_hours": N_(
        "External service hours: the part used by users of another legal entity (another institution, unless both belong to one legal-entity group)."
    ),
    "cross_region_hours": N_(
        "Cross-region hours: the part used by users whose institution is in another region (the province's own goal, not a national figure)."
    ),
    "sharing_rate": N_("Sharing rate = external service hours ÷ effective working hours."),
    "utilisation": N_(
        "Utilisation = effective working hours ÷ quota hours (%(general)s h a year for general and %(special)s h for special instruments), counted over %(quota)s."
    ),
    "instruments": N_("Instruments in service during the period (not retired before it)."),
    "sessions": N_("Usage sessions, each counted once, on the local day it starts."),
    "evaluated": N_(
        "Evaluated instruments: original value of at least %(yuan)s yuan (national rule); smaller instruments are reported apart."
    ),
    "registered_ratio": N_(
        "Registered ratio: evaluated instruments whose registry record has the required fields."
    ),
    "normal_ratio": N_(
        "Normal running ratio: evaluated instruments in normal running status, over %(base)s."
    ),
    "shared_ratio": N_("Shared ratio: evaluated instruments whose share mode is not 'not shared'."),
    "external_ratio": N_(
        "External sharing ratio: evaluated instruments that served an outside legal entity in the period (actual service, from the usage records)."
    ),
    "declared_external_ratio": N_(
        "Declared external sharing: evaluated instruments whose declared share mode is 'external', whatever their use."
    ),
    "reference": N_(
        "National averages per instrument in %(year)s: %(effective)s effective and %(external)s external service hours a year (sharing rate %(rate)s), scaled to the days of the period that have begun. Source: %(source)s."
    ),
}
QUOTA_SPANS = {
    "elapsed": N_("the days of the period that have begun"),
    "whole": N_("the whole period, including days still to come"),
}
NORMAL_BASES = {
    "evaluated": N_("every evaluated instrument"),
    "in_service": N_("the evaluated instruments not awaiting scrapping"),
}
#: Entries of a usage session's history.
USAGE_CHANGES = {
    "corrected": N_("Corrected"),
    "deleted": N_("Deleted"),
    "trimmed": N_("Trimmed (overlap)"),
}
OUTBOX_STATES = {
    "pending": N_("Waiting"),
    "sent": N_("Sent"),
    "dead": N_("Undeliverable"),
    "skipped": N_("Skipped"),
    "expired": N_("Expired"),
}
JOB_OUTCOMES = {"ok": N_("Succeeded"), "failed": N_("Failed"), "running": N_("Running")}
#: A job whose runs succeed can still be unable to work (delivery during a mail outage).
JOB_DEGRADED = N_("Degraded")
#: The scheduler's job descriptions, so `tr()` can show them translated (unknown ones as sent).
JOB_DESCRIPTIONS = [
    N_("Queue reminder mails for bookings whose reminder lead time has come."),
    N_(
        "Send due outbox mails; back off on failure, dead-letter after the retry horizon; "
        "hold the whole queue while the mail server is unreachable."
    ),
    N_("Expire pending bookings past their approval deadline."),
    N_(
        "Mark confirmed bookings nobody checked in to within the instrument's no-show grace as no-shows."
    ),
    N_("Complete bookings that ended with a usage session."),
    N_("Delete expired idempotency keys, sessions, old login failures and job history."),
    N_("Recompute the days changed late, then roll recent usage up into the statistics tables."),
]
#: Fixed texts of the services that the new pages show, so `tr()` shows them translated.
SERVICE_MESSAGES = [
    N_("Dates are written YYYY-MM-DD."),
    N_("'to' must be after 'from' (the range is [from, to))."),
    N_("Only a completed booking can be rated."),
    N_("This booking has already been rated; a rating is final."),
    N_("No such booking of yours."),
    N_("rating must be 1 to 5."),
    N_("The booking policy is invalid."),
    N_("The opening hours are invalid."),
    N_("The closure is invalid."),
    N_("give both opens and closes, or neither"),
    N_("opens must be before closes"),
    N_("min_minutes must not exceed max_minutes"),
    N_("granularity_minutes must divide a day (1440)"),
    N_("min_minutes and max_minutes must be multiples of the grid"),
    N_("No such institution among those you administer."),
    N_("At most 5 reminder lead times."),
    N_("The date range is empty."),
    N_("created_to must be after created_from"),
]

#: The policy editor's fields by name, as their labels read (a refusal names the field).
POLICY_FIELDS = {
    "min_minutes": N_("Shortest booking (minutes)"),
    "max_minutes": N_("Longest booking (minutes)"),
    "granularity_minutes": N_("Time grid (minutes)"),
    "min_notice_minutes": N_("Notice (minutes)"),
    "horizon_days": N_("Bookable ahead (days)"),
    "buffer_minutes": N_("Buffer after each booking (minutes)"),
    "late_cancel_hours": N_("Late cancellation window (hours)"),
    "check_in_lead_minutes": N_("Check-in opens before the start (minutes)"),
    "approval": N_("Approval"),
    "approval_deadline_hours": N_("Answer requests within (hours)"),
    "max_hours_per_day": N_("Hours per day"),
    "max_hours_per_week": N_("Hours per week"),
    "max_future_bookings": N_("Future bookings"),
    "fee_internal": N_("Internal users (yuan per hour)"),
    "fee_external_academic": N_("Other academic users (yuan per hour)"),
    "fee_enterprise": N_("Enterprises (yuan per hour)"),
}

#: What the events of an imported `.ics` file become.
IMPORT_KINDS = {
    "maintenance": N_("Maintenance"),
    "internal": N_("Internal use"),
    "closed": N_("Closed"),
}
