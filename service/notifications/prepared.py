"""Mails written whole when they are queued (survey invitations, and other notices that are not
about a booking): the payload holds the subject, the texts in the recipient's language, the
rows and the link, so rendering reads nothing but the payload."""

from __future__ import annotations

from typing import Any


def prepared_variables(payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "lang": payload.get("language", "zh-CN"),
        "subject": payload["subject"],
        "greeting": payload["greeting"],
        "intro": payload["intro"],
        "rows": [tuple(row) for row in payload.get("rows", [])],
        "alternatives_label": "",
        "alternatives": [],
        "link_label": payload["link_label"],
        "link": payload["link"],
        "footer": payload["footer"],
    }
