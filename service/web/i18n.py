"""Page translations: one Jinja environment per language, each with its Babel catalogue installed.

A shared environment with translations swapped per request would race between concurrent
requests (rendering happens after awaits), so each language gets its own environment, built once.
The catalogues themselves are read by `service.common.catalogues` (mails and feeds use them too).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from babel.support import Translations

from service.common.catalogues import translations
from service.common.i18n import DEFAULT, N_, SUPPORTED, negotiate

WEB_DIR = Path(__file__).parent
TEMPLATE_DIR = WEB_DIR / "templates"
#: The cookie set by the language switch; it wins over the account setting and the browser.
LANG_COOKIE = "is_lang"


@cache
def environment(language: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    catalogue = translations(language)
    env.install_gettext_translations(catalogue, newstyle=True)  # type: ignore[attr-defined]
    # For texts that come from data (problem titles, service messages): no %-formatting.
    env.globals["tr"] = catalogue.gettext
    env.globals["problem_heading"] = lambda status: catalogue.gettext(problem_heading(status))
    env.globals["problem_detail"] = lambda problem: problem_detail(catalogue, language, problem)
    return env


def choose_language(cookie: str | None, account: str | None, accept_language: str | None) -> str:
    """The switch (cookie) first, then the account setting, then the browser's preference."""
    if cookie in SUPPORTED:
        return cookie
    if account in SUPPORTED:
        return account
    return negotiate(accept_language) if accept_language else DEFAULT


#: What a failed page says as its heading: plain words, not an HTTP status and its RFC name
#: ("409 · 冲突"); the status stays in the markup (`data-status`) for scripts and tests.
HEADINGS: dict[int, str] = {
    400: N_("The request could not be understood"),
    401: N_("Please log in first"),
    403: N_("You may not do this"),
    404: N_("This page or item does not exist"),
    405: N_("This action is not available here"),
    409: N_("This clashes with the current bookings or state"),
    412: N_("Someone changed this in the meantime; reload and try again"),
    413: N_("What you sent is too large"),
    415: N_("This kind of file or form is not accepted"),
    422: N_("Please check what you entered"),
    428: N_("Reload the page and try again"),
    429: N_("Too many attempts; wait a moment"),
    503: N_("The service is busy; try again shortly"),
}

#: Said instead of a detail the catalogue cannot translate (an English text in a Chinese page).
FALLBACK_DETAILS: dict[int, str] = {
    404: N_("The address may be mistyped, or the item was removed."),
    405: N_("Go back to the previous page and use its buttons."),
}


def problem_heading(status: int) -> str:
    return HEADINGS.get(status, N_("Something went wrong"))


def problem_detail(catalogue: Translations, language: str, problem: dict[str, Any]) -> str:
    detail = str(problem.get("detail") or "")
    text: str = catalogue.gettext(detail) if detail else ""
    untranslated = language != "en" and text == detail and detail.isascii()
    if untranslated or not text:
        fallback = FALLBACK_DETAILS.get(int(problem.get("status") or 0), "")
        return catalogue.gettext(fallback) if fallback else text
    return text
