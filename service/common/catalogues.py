"""The Babel message catalogues (the `.po` files under `service/web/locale`, where the page
catalogues have always lived), readable by every package: pages, mails and calendar feeds
translate the same words from the same catalogue.

Catalogues are the compiled `.mo` files when they are current, else compiled in memory from the
`.po` sources, so a fresh checkout translates before any build step.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).parents[1] / "web" / "locale"
DOMAIN = "messages"


def locale_dir_name(language: str) -> str:
    return language.replace("-", "_")


def po_path(language: str) -> Path:
    return LOCALE_DIR / locale_dir_name(language) / "LC_MESSAGES" / f"{DOMAIN}.po"


def compile_catalogue(language: str) -> bytes:
    with po_path(language).open("rb") as source:
        catalog = read_po(source, locale=locale_dir_name(language))
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


@cache
def translations(language: str) -> Translations:
    po = po_path(language)
    mo = po.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        data = mo.read_bytes()
    else:
        data = compile_catalogue(language)
    return Translations(io.BytesIO(data), domain=DOMAIN)


def gettext(language: str, message: str, **params: Any) -> str:
    text: str = translations(language).gettext(message)
    return text % params if params else text
