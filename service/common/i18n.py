"""Language choice shared by the API and the pages: the user's setting, else Accept-Language."""

from __future__ import annotations

SUPPORTED = ("zh-CN", "en")
DEFAULT = "zh-CN"


def negotiate(accept_language: str | None, preferred: str | None = None) -> str:
    if preferred in SUPPORTED:
        return preferred
    if not accept_language:
        return DEFAULT
    weighted: list[tuple[float, str]] = []
    for part in accept_language.split(","):
        tag, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            weight = 0.0
        weighted.append((weight, tag.strip().lower()))
    for _, tag in sorted(weighted, key=lambda w: -w[0]):
        if tag.startswith("zh"):
            return "zh-CN"
        if tag.startswith("en"):
            return "en"
    return DEFAULT


def pick(language: str, zh: str, en: str) -> str:
    """The text in `language`, falling back to the other one when it is empty."""
    if language == "en":
        return en or zh
    return zh or en


def N_(message: str) -> str:  # noqa: N802 - the conventional name Babel extracts
    """Marks a message outside the web package for the page catalogues (see
    `service.web.messages.EXTRA_DIRS`); pages translate it when they show it."""
    return message
