"""The message catalogues are complete, and the display helpers name zones and format values."""

from __future__ import annotations

import colorsys
from datetime import UTC, datetime

from service.common.catalogues import gettext
from service.common.i18n import SUPPORTED
from service.web import formatting, messages
from service.web.forms import parse_local, safe_next
from service.web.i18n import choose_language


def test_every_message_has_a_non_empty_translation_in_every_language() -> None:
    extracted = {str(m.id) for m in messages.extract() if m.id}
    assert len(extracted) > 150
    for language in SUPPORTED:
        catalogue = messages.read_catalogue(language)
        translated = {str(m.id): m.string for m in catalogue if m.id}
        missing = sorted(i for i in extracted if not translated.get(i))
        assert not missing, (language, missing)


def test_chinese_is_the_default_and_the_switch_wins() -> None:
    assert gettext("zh-CN", "Find an instrument") == "查找仪器"
    assert gettext("en", "Find an instrument") == "Find an instrument"
    assert choose_language(None, None, None) == "zh-CN"
    assert choose_language(None, None, "en-US,en;q=0.8") == "en"
    assert choose_language(None, "en", "zh-CN") == "en"
    assert choose_language("zh-CN", "en", "en") == "zh-CN"
    assert choose_language("klingon", None, "fr") == "zh-CN"


def test_times_name_the_zone_only_when_it_differs_from_the_viewers() -> None:
    moment = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    assert formatting.local_datetime(moment, "Asia/Shanghai", "Asia/Shanghai") == "2026-12-01 09:00"
    assert (
        formatting.local_datetime(moment, "Asia/Vladivostok", "Asia/Shanghai")
        == "2026-12-01 11:00 俄罗斯（海参崴）时间（北京时间 09:00）"
    )
    end = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
    assert formatting.local_range(moment, end, "Asia/Shanghai", "Asia/Shanghai") == (
        "2026-12-01 09:00–2026-12-02 01:00"
    )


def test_a_cross_zone_range_shows_the_instruments_time_and_the_viewers_in_localised_zone_names() -> (
    None
):
    start = datetime(2026, 12, 1, 23, 0, tzinfo=UTC)
    end = datetime(2026, 12, 2, 0, 0, tzinfo=UTC)
    assert formatting.local_range(start, end, "Asia/Vladivostok", "Asia/Shanghai") == (
        "2026-12-02 09:00–10:00 俄罗斯（海参崴）时间（北京时间 07:00–08:00）"
    )
    assert formatting.local_range(
        start, end, "Asia/Vladivostok", "Asia/Shanghai", language="en"
    ) == ("2026-12-02 09:00–10:00 Russia (Vladivostok) Time (Beijing time 07:00–08:00)")
    # The viewer's clock shows its own date when it falls on another day there.
    assert formatting.local_datetime(start, "America/New_York", "Asia/Shanghai") == (
        "2026-12-01 18:00 美国（纽约）时间（北京时间 2026-12-02 07:00）"
    )
    assert "/" not in formatting.zone_name("Europe/Minsk")


def test_form_times_are_read_in_the_instruments_zone() -> None:
    from zoneinfo import ZoneInfo

    minsk = ZoneInfo("Europe/Minsk")
    assert parse_local("2026-12-01T09:00", minsk) == datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
    assert parse_local("not a time", minsk) is None
    assert parse_local("", minsk) is None


def test_only_same_site_paths_are_followed_after_login() -> None:
    assert safe_next("/bookings") == "/bookings"
    for hostile in ("//evil.example.org", "https://evil.example.org", "/\\evil", ""):
        assert safe_next(hostile) == "/instruments"


def test_heat_colours_darken_with_the_flow() -> None:
    assert formatting.heat_colour(0, 10) == "#ffffff"
    lightness = [_lightness(formatting.heat_colour(v, 100)) for v in range(1, 101)]
    assert lightness == sorted(lightness, reverse=True) and lightness[0] > lightness[-1]


def _lightness(colour: str) -> int:
    return int(colour.rsplit(",", 1)[1].strip(" %)"))


def _luminance(colour: str) -> float:
    """WCAG 2 relative luminance of `#rrggbb` or this module's `hsl(h, s%, l%)`."""
    if colour.startswith("#"):
        rgb = tuple(int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    else:
        h, s, li = (float(x.strip(" %")) for x in colour[4:-1].split(","))
        rgb = colorsys.hls_to_rgb(h / 360, li / 100, s / 100)
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_every_heat_cell_meets_the_wcag_text_contrast_of_4_5() -> None:
    body_text = _luminance("#101828")  # app.css `body { color }`
    for value in range(0, 1001):
        colour = formatting.heat_colour(value, 1000)
        text = 1.0 if formatting.heat_text_is_white(value, 1000) else body_text
        cell = _luminance(colour)
        ratio = (max(cell, text) + 0.05) / (min(cell, text) + 0.05)
        assert ratio >= 4.5, (value, colour, round(ratio, 2))
