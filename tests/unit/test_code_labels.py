"""The names of the code lists are defined once and read the same on pages, in mails and in
calendar feeds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
import pytest

from service.calendars.render import EventRow, render_event
from service.common import codes, labels
from service.common.catalogues import gettext, translations

TABLES = [
    (labels.BOOKING_STATUSES, codes.BOOKING_STATUSES),
    (labels.SERVICE_WAYS, codes.SERVICE_WAYS),
    (labels.SHARE_MODES, codes.SHARE_MODES),
    (labels.APPROVAL_MODES, codes.APPROVAL_MODES),
    (labels.FEE_CLASSES, codes.FEE_CLASSES),
    (labels.INSTRUMENT_STATUSES, codes.INSTRUMENT_STATUSES),
    (labels.INSTITUTION_KINDS, codes.INSTITUTION_KINDS),
]


@pytest.mark.parametrize(("table", "code_list"), TABLES)
def test_every_code_of_a_list_has_one_name_with_a_chinese_translation(
    table: dict[str, str], code_list: tuple[str, ...]
) -> None:
    assert set(table) == set(code_list)
    zh = translations("zh-CN")
    for message in table.values():
        assert zh.gettext(message) != message, f"no Chinese for {message!r}"


def _event(status: str, service_way: str) -> str:
    start = datetime(2027, 7, 1, 1, 0, tzinfo=UTC)
    row = EventRow(
        booking_id=42, kind="booking", status=status, version=1, starts_at=start,
        ends_at=start + timedelta(hours=2), created_at=start, updated_at=start, instrument_id=7,
        instrument_zh="质谱仪", instrument_en="Mass spectrometer", building="A", room="101",
        institution_zh="吉林大学", institution_en="Jilin University",
        booker_name="王一", service_way=service_way, purpose="",
    )  # fmt: skip
    event = icalendar.Calendar.from_ical(
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
        + render_event(row, "zh-CN", "manager", "https://example.org")
        + b"END:VCALENDAR\r\n"
    ).walk("VEVENT")[0]
    return str(event["description"])


def test_a_feed_names_a_status_and_a_service_way_as_the_pages_do() -> None:
    description = _event("no_show", "occupy")
    assert f"状态: {gettext('zh-CN', labels.BOOKING_STATUSES['no_show'])}" in description
    assert f"服务方式: {gettext('zh-CN', labels.SERVICE_WAYS['occupy'])}" in description
    assert gettext("zh-CN", labels.BOOKING_STATUSES["no_show"]) == "爽约"
