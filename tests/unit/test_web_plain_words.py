"""Small pure pieces of the pages: free times offered on the policy's grid, opening hours as a
Chinese input method types them, and error headings in words."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from service.availability.schemas import FreeOut
from service.catalog.schemas import PolicySummaryOut
from service.common.catalogues import translations
from service.web.forms import normalise_hours_text
from service.web.i18n import problem_detail, problem_heading
from service.web.pages_catalogue import free_times


def _policy(**values: object) -> PolicySummaryOut:
    fields = {f: 0 for f in PolicySummaryOut.__struct_fields__}
    defaults = {"min_minutes": 60, "granularity_minutes": 30, "max_minutes": 480}
    merged: dict[str, object] = {**fields, **defaults, **values}
    merged["approval"] = "none"
    merged["service_ways"] = ["occupy"]
    return PolicySummaryOut(**merged)  # type: ignore[arg-type]


def test_free_times_start_on_the_policys_grid_and_skip_periods_shorter_than_a_booking() -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    free = [
        FreeOut(datetime(2026, 12, 1, 5, 47, tzinfo=UTC), datetime(2026, 12, 1, 9, 0, tzinfo=UTC)),
        FreeOut(
            datetime(2026, 12, 1, 10, 0, tzinfo=UTC), datetime(2026, 12, 1, 10, 40, tzinfo=UTC)
        ),
    ]
    found = free_times(free, _policy(), shanghai)
    assert [(f.book_start, f.book_end) for f in found] == [("2026-12-01T14:00", "2026-12-01T15:00")]


def test_hours_from_a_chinese_input_method_become_plain_ranges() -> None:
    assert (
        normalise_hours_text("０９：００－１２：００，１３：３０至１７：３０")
        == "09:00-12:00,13:30-17:30"
    )
    assert normalise_hours_text("9:00～12:00") == "9:00-12:00"
    assert normalise_hours_text("9:00〜12:00") == "9:00-12:00"
    assert normalise_hours_text("9:00 到 12:00") == "9:00-12:00"


def test_error_headings_are_words_and_untranslated_english_details_are_not_shown_in_chinese() -> (
    None
):
    zh = translations("zh-CN")
    assert zh.gettext(problem_heading(409)) == "与现有预约或当前状态冲突"
    assert zh.gettext(problem_heading(422)) == "请检查填写的内容"
    assert problem_detail(zh, "zh-CN", {"status": 404, "detail": "Not Found"}) == (
        "网址可能有误，或该内容已被删除。"
    )
    en = translations("en")
    assert problem_detail(en, "en", {"status": 404, "detail": "Not Found"}) == "Not Found"
