"""The fixed reasons the imports give for a bad row or file, marked here so the message
catalogues carry them and the pages show them in the reader's language (the API answers in
English, the reasons as the onboarding package words them)."""

from __future__ import annotations

from service.common.i18n import N_

REASONS = [
    N_("required, at most 200 characters"),
    N_("required, at most 100 characters"),
    N_("not an e-mail address"),
    N_("must be an http(s) URL"),
    N_("six digits"),
    N_("not a code of the instrument classification"),
    N_("a number of 万元, at most two decimals, not negative"),
    N_("not a GB/T 2659 country code or name"),
    N_("up to four GB/T 13745 first-level discipline codes"),
    N_("a past date, YYYY-MM-DD"),
    N_("是 or 否"),
    N_("not an institution you administer"),
    N_("2-40 characters: lower-case letters, digits, '-'"),
    N_("unknown institution (only platform admins create institutions)"),
    N_("not a region of the platform (needed for a new institution)"),
    N_("required (the asset number identifies the instrument)"),
    N_("formulas are not imported; paste the value"),
    N_("formulas are not imported"),
    N_("an account of another institution: not made manager"),
    N_("zh or en"),
    N_("missing"),
    N_("missing (required from 50万元)"),
    N_("classified above the 小类 level"),
    N_("one to four GB/T 13745 disciplines"),
    # The calendar import (`service.calendars.importer.CLOSURE_NOT_WHOLE_DAYS`).
    N_("A closure covers whole days; import this event as maintenance or internal use instead."),
]
