"""Display names of the domain's code lists (`service.common.codes`), defined once for pages,
mails and calendar feeds alike. The names are English message ids marked with `N_`; the Babel
catalogues hold their Chinese (`service.web.messages` extracts this module), so a status reads
the same on a page, in a mail and in a feed."""

from __future__ import annotations

from service.common.catalogues import gettext
from service.common.i18n import N_

BOOKING_STATUSES = {
    "held": N_("Held"),
    "pending": N_("Awaiting approval"),
    "confirmed": N_("Confirmed"),
    "in_use": N_("In use"),
    "completed": N_("Completed"),
    "cancelled": N_("Cancelled"),
    "rejected": N_("Rejected"),
    "expired": N_("Expired"),
    "no_show": N_("No-show"),
}
SERVICE_WAYS = {
    "occupy": N_("Self-operated"),
    "technical": N_("Operated with staff guidance"),
    "entrusted": N_("Samples run by staff"),
    "remote": N_("Remote use"),
}
SHARE_MODES = {
    "external": N_("External sharing"),
    "internal": N_("Internal sharing"),
    "none": N_("Not shared"),
}
APPROVAL_MODES = {
    "none": N_("No approval needed"),
    "external": N_("Users from other institutions need approval"),
    "all": N_("Every booking needs approval"),
}
#: Who pays which hourly fee (`booking.fee_class`).
FEE_CLASSES = {
    "internal": N_("Internal users"),
    "external_academic": N_("Other academic users"),
    "enterprise": N_("Enterprises"),
}
INSTRUMENT_STATUSES = {
    "normal": N_("Normal"),
    "standby": N_("Standby"),
    "remote": N_("Remote service"),
    "occasional_fault": N_("Occasional faults"),
    "frequent_fault": N_("Frequent faults"),
    "awaiting_repair": N_("Awaiting repair"),
    "awaiting_scrap": N_("Awaiting scrapping"),
}
INSTITUTION_KINDS = {
    "university": N_("University"),
    "research_institute": N_("Research institute"),
    "hospital": N_("Hospital"),
    "enterprise": N_("Enterprise"),
    "other": N_("Other"),
}
INSTRUMENT_TYPES = {"general": N_("General"), "special": N_("Special")}


def label(table: dict[str, str], code: str, language: str) -> str:
    """The code's name in `language` (the code itself for one the table does not know)."""
    message = table.get(code)
    return gettext(language, message) if message else code
