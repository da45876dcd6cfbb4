"""Page translations: one Jinja environment per language, each with its Babel catalogue installed.

A shared environment with translations swapped per request would race between concurrent
requests (rendering happens after awaits), so each language gets its own environment, built once.
Catalogues are the compiled `.mo` files when they are current, else compiled in memory from the
`.po` sources, so a fresh checkout renders translated pages before any build step.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from service.common.i18n import DEFAULT, SUPPORTED, negotiate

WEB_DIR = Path(__file__).parent
LOCALE_DIR = WEB_DIR / "locale"
TEMPLATE_DIR = WEB_DIR / "templates"
DOMAIN = "messages"
#: The cookie set by the language switch; it wins over the account setting and the browser.
LANG_COOKIE = "is_lang"


def locale_dir_name(language: str) -> str:
    return language.replace("-", "_")


def _po_path(language: str) -> Path:
    return LOCALE_DIR / locale_dir_name(language) / "LC_MESSAGES" / f"{DOMAIN}.po"


def compile_catalogue(language: str) -> bytes:
    with _po_path(language).open("rb") as source:
        catalog = read_po(source, locale=locale_dir_name(language))
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


@cache
def translations(language: str) -> Translations:
    po = _po_path(language)
    mo = po.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        data = mo.read_bytes()
    else:
        data = compile_catalogue(language)
    return Translations(io.BytesIO(data), domain=DOMAIN)


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
    return env


def gettext(language: str, message: str, **params: Any) -> str:
    text: str = translations(language).gettext(message)
    return text % params if params else text


def choose_language(cookie: str | None, account: str | None, accept_language: str | None) -> str:
    """The switch (cookie) first, then the account setting, then the browser's preference."""
    if cookie in SUPPORTED:
        return cookie
    if account in SUPPORTED:
        return account
    return negotiate(accept_language) if accept_language else DEFAULT


def N_(message: str) -> str:  # noqa: N802 - the conventional name Babel extracts
    """Marks a message for extraction; it is translated when rendered."""
    return message
