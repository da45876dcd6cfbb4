"""Words shown inside calendar events, in the two languages the product speaks."""

from __future__ import annotations

from service.common.i18n import pick

STATUS_LABELS: dict[str, tuple[str, str]] = {
    "held": ("暂留", "Held"),
    "pending": ("待审批", "Pending approval"),
    "confirmed": ("已确认", "Confirmed"),
    "in_use": ("使用中", "In use"),
    "completed": ("已完成", "Completed"),
    "cancelled": ("已取消", "Cancelled"),
    "rejected": ("已拒绝", "Rejected"),
    "expired": ("已过期", "Expired"),
    "no_show": ("未到场", "No-show"),
}

SERVICE_WAY_LABELS: dict[str, tuple[str, str]] = {
    "occupy": ("占用共享", "Self-operated"),
    "technical": ("技术共享", "Operated with staff guidance"),
    "entrusted": ("委托共享", "Samples run by staff"),
    "remote": ("远程共享", "Remote use"),
}

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


def label(table: dict[str, tuple[str, str]], key: str, language: str) -> str:
    zh, en = table.get(key, (key, key))
    return pick(language, zh, en)


def field(key: str, language: str) -> str:
    return label(FIELD_LABELS, key, language)
