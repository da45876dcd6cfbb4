"""Time zones of an uploaded `.ics` file, read from that file alone.

RFC 5545 (3.2.19): a `TZID` names the `VTIMEZONE` of the same object; its name is only a label.
`icalendar` reads it the other way round. A `TZID` that is also an IANA name (`EST`,
`America/New_York`) gets the IANA zone, whatever rules the file gives; any other name is cached
for the whole process, so the next file that says "Lab Local Time" or Outlook's "Customized
Time Zone" gets the first uploader's offset.

So before parsing, every `TZID` that a `VTIMEZONE` of the file defines is renamed to a private
name no IANA zone and no other upload can have (`upload-<random>-<n>`), in the `VTIMEZONE` and
in every parameter that refers to it; the parser then builds each zone from the file's own
rules. After parsing, the cache entries under those names are dropped again (the parsed values
keep their zone objects). `TZID`s without a `VTIMEZONE` still mean IANA zones.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from icalendar.parser.content_line import Contentline
from icalendar.timezone import tzp

#: RFC 5545 folding: a line break followed by one space or tab continues the line.
_FOLD = re.compile(r"\r?\n[ \t]")
_NEWLINE = re.compile(r"\r?\n")


def unfold(text: str) -> list[str]:
    return [line for line in _NEWLINE.split(_FOLD.sub("", text)) if line]


def _zone_lines(lines: list[str]) -> Iterator[tuple[int, str]]:
    """(index, TZID) of each `TZID:` property inside a VTIMEZONE (its sub-components, STANDARD
    and DAYLIGHT, have none)."""
    inside = False
    for index, line in enumerate(lines):
        upper = line.upper()
        if upper == "BEGIN:VTIMEZONE":
            inside = True
        elif upper == "END:VTIMEZONE":
            inside = False
        elif inside and upper.startswith("TZID:"):
            yield index, line[5:]


def _rename_parameter(line: str, private: dict[str, str]) -> str:
    """The line with its TZID parameter renamed, or unchanged."""
    if ";TZID=" not in line.upper():
        return line
    name, params, value = Contentline(line).raw_parts()  # type: ignore[no-untyped-call]
    tzid = params.get("TZID")
    if tzid not in private:
        return line
    params["TZID"] = private[tzid]
    return f"{name};{params.to_ical(sorted=False).decode()}:{value}"


def privatize(text: str) -> tuple[str, list[str]]:
    """The text with the file's own zones renamed (unfolded, one content line per line), and
    the private names used. Lines that cannot be split are left for the parser to refuse."""
    lines = unfold(text)
    zones = dict(_zone_lines(lines))
    if not zones:
        return text, []
    token = secrets.token_hex(6)
    private = {name: f"upload-{token}-{n}" for n, name in enumerate(dict.fromkeys(zones.values()))}
    for index, line in enumerate(lines):
        if index in zones:
            lines[index] = f"TZID:{private[zones[index]]}"
        else:
            with suppress(ValueError):
                lines[index] = _rename_parameter(line, private)
    return "\r\n".join(lines) + "\r\n", list(private.values())


def forget(names: list[str]) -> None:
    """Drop the parser's process-wide cache entries for private zone names."""
    cache = getattr(tzp, "_TZP__tz_cache", None)
    if isinstance(cache, dict):
        for name in names:
            cache.pop(name, None)


@contextmanager
def own_zones(text: str) -> Iterator[str]:
    """`text` with its own zones made private for the duration of the block."""
    private_text, names = privatize(text)
    try:
        yield private_text
    finally:
        forget(names)
