"""Words shown inside calendar events, in the two languages the product speaks (the names of
statuses and service ways come from `service.common.labels`, as on the pages)."""

from __future__ import annotations

from service.common.i18n import pick

FIELD_LABELS: dict[str, tuple[str, str]] = {
    "booked": ("已预约", "Booked"),
    "busy": ("该时段已被预约", "This time is booked"),
    "maintenance": ("维护", "Maintenance"),
    "status": ("状态", "Status"),
    "booker": ("预约人", "Booked by"),
    "service_way": ("服务方式", "Service way"),
    "purpose": ("用途", "Purpose"),
    "reason": ("原因", "Reason"),
    "details": ("详情", "Details"),
    "my_bookings": ("我的仪器预约", "My instrument bookings"),
    "instrument_feed": ("预约日历", "bookings"),
    "public_feed": ("占用时段", "busy times"),
    "institution_feed": ("仪器预约", "instrument bookings"),
}


def field(key: str, language: str) -> str:
    zh, en = FIELD_LABELS.get(key, (key, key))
    return pick(language, zh, en)
