"""How times, money and numbers are shown: pure functions, unit-tested without a server.

Times are shown in the instrument's zone, the zone where the booking rules apply; the zone is
named whenever it differs from the viewer's, so a researcher in another zone is never misled.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "Asia/Shanghai"


def zone_suffix(zone: str, viewer_zone: str) -> str:
    return "" if zone == viewer_zone else f" ({zone})"


def local_datetime(moment: datetime, zone: str, viewer_zone: str) -> str:
    local = moment.astimezone(ZoneInfo(zone))
    return local.strftime("%Y-%m-%d %H:%M") + zone_suffix(zone, viewer_zone)


def local_range(start: datetime, end: datetime, zone: str, viewer_zone: str) -> str:
    """`2026-12-01 09:00–11:00`, or both dates when the range crosses midnight."""
    tz = ZoneInfo(zone)
    first, last = start.astimezone(tz), end.astimezone(tz)
    tail = (
        last.strftime("%H:%M") if first.date() == last.date() else last.strftime("%Y-%m-%d %H:%M")
    )
    return f"{first.strftime('%Y-%m-%d %H:%M')}–{tail}{zone_suffix(zone, viewer_zone)}"


def input_value(moment: datetime, zone: str) -> str:
    """The value of an `<input type="datetime-local">` in the instrument's zone."""
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


def hours(value: float | Decimal | None) -> str:
    return "–" if value is None else f"{float(value):,.1f}"


def percent(value: float | Decimal | None) -> str:
    return "–" if value is None else f"{float(value) * 100:.1f}%"


def money(value: float | Decimal | None) -> str:
    return "–" if value is None else f"{Decimal(value):,.2f}"


def heat_colour(value: float, maximum: float) -> str:
    """A cell colour from white (0) to deep blue (maximum) for the flow matrix."""
    if maximum <= 0 or value <= 0:
        return "#ffffff"
    share = min(1.0, value / maximum)
    lightness = round(97 - share * 60)
    return f"hsl(212, 70%, {lightness}%)"


def yuan_of_wan(value: float | Decimal) -> str:
    """An amount in 万元 (10,000 yuan) written in yuan: 50 → `500,000`."""
    return f"{Decimal(value) * 10000:,.0f}"
