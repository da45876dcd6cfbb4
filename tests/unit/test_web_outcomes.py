"""Series outcomes in words: what was booked or requested, and which dates were skipped why."""

from __future__ import annotations

from datetime import date
from functools import partial

from service.common.catalogues import gettext
from service.web.outcomes import Skipped, decode_skipped, series_summary, skip_kind

ZH = partial(gettext, "zh-CN")
EN = partial(gettext, "en")


def test_a_series_waiting_for_approval_is_not_called_booked() -> None:
    assert series_summary(["pending"] * 3, [], ZH, True) == "已提交 3 个申请，等待审批。"
    assert series_summary(["pending"] * 3, [], EN, False) == (
        "3 requests sent; they await the manager's approval."
    )


def test_skipped_occurrences_are_named_by_date_and_reason() -> None:
    skipped = [
        Skipped(date(2026, 12, 14), "maintenance"),
        Skipped(date(2026, 12, 21), "maintenance"),
    ]
    assert series_summary(["confirmed"], skipped, ZH, True) == (
        "已预约 1/3：12-14、12-21 与维护冲突，已跳过。"
    )
    mixed = [*skipped, Skipped(date(2026, 12, 28), "booking")]
    assert series_summary(["confirmed", "pending"], mixed, ZH, True) == (
        "已预约 2/5，其中 1 个等待审批：12-28 已被预约，已跳过；12-14、12-21 与维护冲突，已跳过。"
    )
    assert series_summary(["confirmed"] * 2, [], EN, False) == "All 2 occurrences are booked."


def test_the_skip_codes_read_back_only_known_dates_and_reasons() -> None:
    assert decode_skipped("2026-12-14.maintenance,junk,2026-13-01.booking,2026-12-21.evil") == [
        Skipped(date(2026, 12, 14), "maintenance"),
        Skipped(date(2026, 12, 21), "rules"),
    ]
    assert skip_kind([{"rule": "conflict", "conflicts": [{"kind": "closed"}]}]) == "closed"
    assert skip_kind([{"rule": "horizon", "message": "…"}]) == "rules"
