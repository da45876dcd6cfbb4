"""The words of each mail, in both languages. Placeholders: {instrument}, {start}, {lead}
(the time left before the booking starts)."""

from __future__ import annotations

from typing import NamedTuple


class Wording(NamedTuple):
    subject: str
    intro: str


TEXTS: dict[str, dict[str, Wording]] = {
    "account_invitation": {
        "zh-CN": Wording(
            "邀请您加入大型科研仪器共享平台",
            "已为您创建平台账户。请点击下方链接设置密码后登录。",
        ),
        "en": Wording(
            "Your account on Instrument Share",
            "An account was created for you. Follow the link below to choose a password.",
        ),
    },
    "booking_requested": {
        "zh-CN": Wording(
            "预约申请已提交：{instrument}", "您的预约申请已提交，正在等待仪器管理员审批。"
        ),
        "en": Wording(
            "Booking request received: {instrument}",
            "Your booking request was received and awaits approval by the instrument's staff.",
        ),
    },
    "approval_needed": {
        "zh-CN": Wording("待审批的预约申请：{instrument}", "有一项新的预约申请等待您审批。"),
        "en": Wording(
            "Booking request to decide: {instrument}",
            "A new booking request awaits your decision.",
        ),
    },
    "booking_confirmed": {
        "zh-CN": Wording("预约已确认：{instrument} {start}", "您的预约已确认，日历邀请见附件。"),
        "en": Wording(
            "Booking confirmed: {instrument} {start}",
            "Your booking is confirmed; the calendar invitation is attached.",
        ),
    },
    "booking_rejected": {
        "zh-CN": Wording("预约申请未获批准：{instrument}", "很抱歉，您的预约申请未获批准。"),
        "en": Wording(
            "Booking request declined: {instrument}",
            "We are sorry: your booking request was declined.",
        ),
    },
    "booking_cancelled": {
        "zh-CN": Wording("预约已取消：{instrument} {start}", "以下预约已取消。"),
        "en": Wording(
            "Booking cancelled: {instrument} {start}", "The following booking was cancelled."
        ),
    },
    "booking_displaced": {
        "zh-CN": Wording(
            "预约因仪器维护取消：{instrument} {start}",
            "由于仪器维护，以下预约已被取消。您可以选择下列其他时段或仪器。",
        ),
        "en": Wording(
            "Booking cancelled for maintenance: {instrument} {start}",
            "The following booking was cancelled because the instrument is under maintenance. "
            "The alternatives below may suit you.",
        ),
    },
    "booking_closed": {
        "zh-CN": Wording(
            "预约因仪器停开取消：{instrument} {start}",
            "由于仪器在该日停开或调整开放时间，以下预约已被取消。您可以选择下列其他时段或仪器。",
        ),
        "en": Wording(
            "Booking cancelled, the instrument is closed: {instrument} {start}",
            "The following booking was cancelled because the instrument is closed (or keeps "
            "other hours) that day. The alternatives below may suit you.",
        ),
    },
    "booking_expired": {
        "zh-CN": Wording(
            "预约申请已过期：{instrument}",
            "您的预约申请未在审批期限内获批，已自动失效，时段已释放。",
        ),
        "en": Wording(
            "Booking request expired: {instrument}",
            "Your booking request was not approved in time; it has expired and the slot is free.",
        ),
    },
    "booking_rescheduled": {
        "zh-CN": Wording(
            "预约时间已变更：{instrument} {start}", "您的预约时间已变更，新的日历邀请见附件。"
        ),
        "en": Wording(
            "Booking rescheduled: {instrument} {start}",
            "Your booking was rescheduled; the updated calendar invitation is attached.",
        ),
    },
    "booking_rescheduled_pending": {
        "zh-CN": Wording(
            "预约修改待审批：{instrument} {start}",
            "您的预约修改已提交，新的时间正在等待仪器管理员审批；日历邀请（待定）见附件。",
        ),
        "en": Wording(
            "Booking change awaiting approval: {instrument} {start}",
            "Your change was received; the new time awaits approval by the instrument's staff. "
            "The calendar invitation (tentative) is attached.",
        ),
    },
    "calendar_ahead": {
        "zh-CN": Wording(
            "仪器维护或停开提醒：{instrument} {start}",
            "您预约当天仪器安排了维护或调整了开放时间（详见下方）。您的预约仍然有效，请确认时间是否仍然合适。",
        ),
        "en": Wording(
            "Maintenance or closure on the day of your booking: {instrument} {start}",
            "The instrument is serviced or keeps other hours on the day of your booking (see "
            "below). Your booking stands; please check that it still suits you.",
        ),
    },
    "instrument_free_early": {
        "zh-CN": Wording(
            "仪器已提前空闲：{instrument}",
            "上一位用户已提前结束使用，仪器现已空闲。如需提前开始，请先与仪器管理员确认。",
        ),
        "en": Wording(
            "The instrument is free early: {instrument}",
            "The previous session ended early and the instrument is free now. If you would "
            "like to start earlier, please check with the instrument's staff first.",
        ),
    },
    "reminder": {
        "zh-CN": Wording(
            "预约提醒：{instrument} {start}", "提醒您：您预约的仪器将在{lead}后开始使用。"
        ),
        "en": Wording(
            "Reminder: {instrument} {start}", "A reminder: your booking starts in {lead}."
        ),
    },
}

LABELS: dict[str, dict[str, str]] = {
    "zh-CN": {
        "greeting": "{name}，您好：",
        "instrument": "仪器",
        "time": "时间",
        "location": "地点",
        "booking": "预约编号",
        "reason": "原因",
        "alternatives": "可选方案",
        "link": "查看预约",
        "footer": "此邮件由大型科研仪器共享平台自动发送，请勿直接回复。",
    },
    "en": {
        "greeting": "Dear {name},",
        "instrument": "Instrument",
        "time": "Time",
        "location": "Location",
        "booking": "Booking no.",
        "reason": "Reason",
        "alternatives": "Alternatives",
        "link": "View the booking",
        "footer": "This message was sent automatically by Instrument Share; please do not reply.",
    },
}


def lead_text(minutes: float, language: str) -> str:
    """Time left before the start, as a reader would say it: "23 小时" / "23 hours" from an
    hour and a half up, otherwise minutes rounded to five ("50 分钟" / "50 minutes")."""
    if minutes >= 90:
        hours = round(minutes / 60)
        return f"{hours} hours" if language == "en" else f"{hours} 小时"
    rounded = max(5, 5 * round(minutes / 5))
    return f"{rounded} minutes" if language == "en" else f"{rounded} 分钟"
