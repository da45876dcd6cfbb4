"""libical, the C library behind Evolution and many servers, as an independent reader.

Its Python bindings (GObject introspection) are Debian packages for Debian's own interpreter,
so the tests run `tests/libical/read_ics.py` with that interpreter in a subprocess
(`LIBICAL_PYTHON`, default `/usr/bin/python3`). `make test` installs the packages where it can
(`scripts/install-libical.sh`); elsewhere these checks are skipped with a message.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tests" / "libical" / "read_ics.py"
PYTHON = os.environ.get("LIBICAL_PYTHON", "/usr/bin/python3")
_PROBE = "import gi; gi.require_version('ICalGLib', '3.0'); from gi.repository import ICalGLib"


@functools.cache
def _missing() -> str | None:
    try:
        subprocess.run([PYTHON, "-c", _PROBE], capture_output=True, check=True, timeout=30)  # noqa: S603
    except (OSError, subprocess.SubprocessError):
        return (
            f"libical's GObject bindings are not importable by {PYTHON} "
            "(apt-get install python3-gi gir1.2-ical-3.0, or scripts/install-libical.sh)"
        )
    return None


def require_libical() -> None:
    reason = _missing()
    if reason is not None:
        pytest.skip(reason)


def instant(text: str | None) -> datetime | None:
    """libical's `20270315T130000Z` as an aware datetime."""
    if text is None:
        return None
    return datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


@dataclass(frozen=True)
class LibicalEvent:
    uid: str
    summary: str
    status: str | None
    sequence: int
    organizer: str | None
    start: datetime | None
    end: datetime | None
    occurrences: list[datetime]


@dataclass(frozen=True)
class LibicalReport:
    method: str | None
    restrictions_ok: bool
    errors: list[str]
    events: list[LibicalEvent]

    def event(self, uid: str) -> LibicalEvent:
        return next(e for e in self.events if e.uid == uid)


def read_with_libical(body: bytes) -> LibicalReport:
    """What libical makes of `body`; skips the test when libical is not installed."""
    require_libical()
    done = subprocess.run(  # noqa: S603
        [PYTHON, str(SCRIPT)], input=body, capture_output=True, check=True, timeout=60
    )
    data: dict[str, Any] = json.loads(done.stdout)
    assert data["parsed"], "libical could not parse the object at all"
    events = [
        LibicalEvent(
            uid=e["uid"],
            summary=e["summary"],
            status=e["status"],
            sequence=e["sequence"],
            organizer=e["organizer"],
            start=instant(e["start_utc"]),
            end=instant(e["end_utc"]),
            occurrences=[d for d in map(instant, e["occurrences_utc"]) if d is not None],
        )
        for e in data["events"]
    ]
    return LibicalReport(data["method"], data["restrictions_ok"], data["errors"], events)
