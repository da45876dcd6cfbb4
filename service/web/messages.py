"""The message catalogues: extract the messages of the templates and of this package, refresh
`messages.pot`, and merge it into each language's `.po` (English sources fill the `en`
catalogue; Chinese needs a translator). `python -m service.web.messages` runs it."""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from service.common.catalogues import LOCALE_DIR, locale_dir_name
from service.common.i18n import SUPPORTED
from service.web.i18n import WEB_DIR

KEYWORDS = {"_": None, "gettext": None, "N_": None, "t": None}
METHODS = [
    ("templates/**.html", "jinja2"),
    ("*.py", "python"),
]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "false"}}
#: Packages outside `web/` whose messages (marked `N_`) pages show as they are; `common` holds
#: the code lists' names, which mails and feeds translate too.
EXTRA_DIRS = [WEB_DIR.parent / "sso", WEB_DIR.parent / "common"]


def extract() -> Catalog:
    catalog = Catalog(project="instrument-share", fuzzy=False)
    sources = [(WEB_DIR, METHODS)] + [(d, [("*.py", "python")]) for d in EXTRA_DIRS]
    for directory, methods in sources:
        prefix = "" if directory == WEB_DIR else f"../{directory.name}/"
        for filename, lineno, message, comments, _context in extract_from_dir(
            directory, methods, keywords=KEYWORDS, options_map=OPTIONS
        ):
            if isinstance(message, str) and message:
                location = (prefix + filename, lineno)
                catalog.add(message, locations=[location], auto_comments=comments)
    return catalog


def po_path(language: str) -> Path:
    return LOCALE_DIR / locale_dir_name(language) / "LC_MESSAGES" / "messages.po"


def read_catalogue(language: str) -> Catalog:
    path = po_path(language)
    if not path.exists():
        return Catalog(locale=locale_dir_name(language))
    with path.open("rb") as source:
        return read_po(source, locale=locale_dir_name(language))


def update() -> dict[str, list[str]]:
    """Merge the extracted messages into every catalogue; returns the untranslated ids."""
    template = extract()
    with (LOCALE_DIR / "messages.pot").open("wb") as out:
        write_po(out, template, omit_header=False, sort_output=True, width=100)
    missing: dict[str, list[str]] = {}
    for language in SUPPORTED:
        catalogue = read_catalogue(language)
        catalogue.update(template, no_fuzzy_matching=True)
        for message in catalogue:
            if message.id and not message.string and language == "en":
                message.string = message.id
        catalogue.obsolete.clear()
        missing[language] = [str(m.id) for m in catalogue if m.id and not m.string]
        po_path(language).parent.mkdir(parents=True, exist_ok=True)
        with po_path(language).open("wb") as out:
            write_po(out, catalogue, sort_output=True, width=100, ignore_obsolete=True)
    return missing


if __name__ == "__main__":
    for lang, ids in update().items():
        print(lang, "untranslated:", len(ids))  # noqa: T201
        for message_id in ids:
            print("   ", message_id)  # noqa: T201
