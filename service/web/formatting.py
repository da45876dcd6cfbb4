"""How times, money and numbers are shown: pure functions, unit-tested without a server.

Times are shown in the instrument's zone, the zone where the booking rules apply; the zone is
named whenever it differs from the viewer's, so a researcher in another zone is never misled.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import get_timezone, get_timezone_location

DEFAULT_ZONE = "Asia/Shanghai"


#: The zone most users live in, named the way they say it rather than by its location.
_COMMON_NAMES = {"Asia/Shanghai": {"zh-CN": "北京时间", "en": "Beijing time"}}


def zone_name(zone: str, language: str = "zh-CN") -> str:
    """A zone as people read it (Babel's localised name, e.g. `俄罗斯（海参崴）时间`), never the
    IANA id; the location form, because it stays right in summer and winter."""
    common = _COMMON_NAMES.get(zone, {}).get(language)
    if common:
        return common
    try:
        return str(get_timezone_location(get_timezone(zone), locale=_babel_locale(language)))
    except (LookupError, ValueError):
        return zone


def _babel_locale(language: str) -> str:
    return "en" if language == "en" else "zh_Hans_CN"


def zone_suffix(zone: str, viewer_zone: str, language: str = "zh-CN") -> str:
    return "" if zone == viewer_zone else f" {zone_name(zone, language)}"


def _viewer_part(
    start: datetime, end: datetime | None, zone: str, viewer_zone: str, *, language: str
) -> str:
    """`（北京时间 07:00–08:00）`: the same moment on the viewer's clock, with the date when it
    falls on another day there."""
    if zone == viewer_zone:
        return ""
    tz, mine = ZoneInfo(zone), ZoneInfo(viewer_zone)
    first = start.astimezone(mine)
    text = first.strftime("%H:%M")
    if first.date() != start.astimezone(tz).date():
        text = first.strftime("%Y-%m-%d %H:%M")
    if end is not None:
        last = end.astimezone(mine)
        text += "–" + (
            last.strftime("%H:%M")
            if last.date() == first.date()
            else last.strftime("%Y-%m-%d %H:%M")
        )
    name = zone_name(viewer_zone, language)
    return f" ({name} {text})" if language == "en" else f"（{name} {text}）"


def local_datetime(moment: datetime, zone: str, viewer_zone: str, language: str = "zh-CN") -> str:
    local = moment.astimezone(ZoneInfo(zone))
    return (
        local.strftime("%Y-%m-%d %H:%M")
        + zone_suffix(zone, viewer_zone, language)
        + _viewer_part(moment, None, zone, viewer_zone, language=language)
    )


def local_range(
    start: datetime, end: datetime, zone: str, viewer_zone: str, *, language: str = "zh-CN"
) -> str:
    """`2026-12-01 09:00–11:00`, or both dates when the range crosses midnight; in another zone
    than the viewer's, `2026-12-01 09:00–10:00 俄罗斯（海参崴）时间（北京时间 07:00–08:00）`."""
    tz = ZoneInfo(zone)
    first, last = start.astimezone(tz), end.astimezone(tz)
    tail = (
        last.strftime("%H:%M") if first.date() == last.date() else last.strftime("%Y-%m-%d %H:%M")
    )
    return (
        f"{first.strftime('%Y-%m-%d %H:%M')}–{tail}{zone_suffix(zone, viewer_zone, language)}"
        + _viewer_part(start, end, zone, viewer_zone, language=language)
    )


class Formatter:
    """The formatting functions with the page's language filled in, as templates see `fmt`."""

    def __init__(self, language: str) -> None:
        self.language = language

    def zone_name(self, zone: str) -> str:
        return zone_name(zone, self.language)

    def local_datetime(self, moment: datetime, zone: str, viewer_zone: str) -> str:
        return local_datetime(moment, zone, viewer_zone, self.language)

    def local_range(self, start: datetime, end: datetime, zone: str, viewer_zone: str) -> str:
        return local_range(start, end, zone, viewer_zone, language=self.language)

    def __getattr__(self, name: str) -> Any:
        return globals()[name]


def input_value(moment: datetime, zone: str) -> str:
    """The value of an `<input type="datetime-local">` in the instrument's zone."""
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


def hours(value: float | Decimal | None) -> str:
    return "–" if value is None else f"{float(value):,.1f}"


def percent(value: float | Decimal | None) -> str:
    return "–" if value is None else f"{float(value) * 100:.1f}%"


def money(value: float | Decimal | None) -> str:
    return "–" if value is None else f"{Decimal(value):,.2f}"


#: The flow heat map's shades: light cells (dark text) for flows up to half the largest, dark
#: cells (white text) above. Lightness between 46% and 55% is skipped: on that blue neither text
#: colour reaches WCAG's 4.5:1 contrast.
LIGHT_CELLS = (97, 55)
DARK_CELLS = (46, 30)
#: The share of the largest flow above which a cell is dark.
DARK_ABOVE = 0.5


def heat_colour(value: float, maximum: float) -> str:
    """A cell colour from white (0) to deep blue (maximum) for the flow matrix."""
    if maximum <= 0 or value <= 0:
        return "#ffffff"
    share = min(1.0, value / maximum)
    dark = heat_text_is_white(value, maximum)
    top, bottom = DARK_CELLS if dark else LIGHT_CELLS
    within = (share - DARK_ABOVE) / (1 - DARK_ABOVE) if dark else share / DARK_ABOVE
    return f"hsl(212, 70%, {round(top - within * (top - bottom))}%)"


def heat_text_is_white(value: float, maximum: float) -> bool:
    """Whether a cell of `heat_colour(value, maximum)` is dark enough to carry white text."""
    return maximum > 0 and value / maximum > DARK_ABOVE


def yuan_of_wan(value: float | Decimal) -> str:
    """An amount in 万元 (10,000 yuan) written in yuan: 50 → `500,000`."""
    return f"{Decimal(value) * 10000:,.0f}"
