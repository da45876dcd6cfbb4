"""What a delivered mail says: the recipient's language, text plus HTML, times in the
instrument's zone, a stable Message-ID, and the booking's calendar object where it belongs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import icalendar

from service.common.time import utcnow
from service.db import Database
from service.notifications.delivery import deliver_outbox
from service.outbox.store import enqueue
from service.settings import Settings
from tests.scheduler_support import (
    Scene,
    SmtpServer,
    html_of,
    mail_settings,  # noqa: F401 - fixture
    make_booking,
    make_scene,
    outbox_message_id,
    smtp,  # noqa: F401 - fixture
    text_of,
)

START = datetime(2033, 4, 5, 1, 0, tzinfo=UTC)  # 09:00 in Changchun (UTC+8)


async def _queue(db: Database, scene: Scene, booking: int, kind: str, **payload: object) -> int:
    async with db.transaction() as conn:
        outbox_id = await enqueue(
            conn,
            kind=kind,
            user_id=scene.user_id,
            booking_id=booking,
            dedupe_key=f"test-mail:{kind}:{booking}",
            payload=dict(payload),
        )
    assert outbox_id is not None
    return outbox_id


def _parts(message: EmailMessage) -> tuple[str, str, list[EmailMessage]]:
    text, html = text_of(message), html_of(message)
    calendars = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    return text, html, calendars


async def test_confirmation_in_chinese_with_a_request_invite(
    db: Database,
    mail_settings: Settings,  # noqa: F811
    smtp: SmtpServer,  # noqa: F811
) -> None:
    scene = await make_scene(db, language="zh-CN")
    booking = await make_booking(db, scene, START, minutes=90)
    confirmed = await _queue(db, scene, booking, "booking_confirmed")
    await deliver_outbox(db, mail_settings, utcnow())

    message = smtp.sink.by_id(outbox_message_id(confirmed))
    assert message["To"] == scene.email
    assert str(message["Subject"]).strip().startswith("预约已确认：")
    assert message["Content-Language"] == "zh-CN"
    text, html, calendars = _parts(message)
    assert "您的预约已确认" in text and "2033-04-05 09:00–10:30 (Asia/Shanghai)" in text
    assert "化学楼 101" in text
    assert html.lstrip().startswith("<!DOCTYPE html>") and "您的预约已确认" in html
    [invite] = calendars
    assert invite.get_param("method") == "REQUEST"
    calendar = icalendar.Calendar.from_ical(invite.get_content())
    assert str(calendar["METHOD"]) == "REQUEST"
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"booking-{booking}@instrument-share"
    assert event.decoded("DTSTART") == START


async def test_cancellation_in_english_with_a_cancel_invite(
    db: Database,
    mail_settings: Settings,  # noqa: F811
    smtp: SmtpServer,  # noqa: F811
) -> None:
    scene = await make_scene(db, language="en")
    booking = await make_booking(db, scene, START, status="cancelled")
    cancelled = await _queue(db, scene, booking, "booking_displaced", reason="annual <calibration>")
    await deliver_outbox(db, mail_settings, utcnow())

    message = smtp.sink.by_id(outbox_message_id(cancelled))
    assert str(message["Subject"]).strip().startswith("Booking cancelled for maintenance: ")
    text, html, calendars = _parts(message)
    assert "Dear " in text and "Reason: annual <calibration>" in text
    assert "annual &lt;calibration&gt;" in html  # escaped in HTML
    [invite] = calendars
    assert invite.get_param("method") == "CANCEL"
    calendar = icalendar.Calendar.from_ical(invite.get_content())
    assert str(calendar["METHOD"]) == "CANCEL"
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"booking-{booking}@instrument-share"


async def test_reminder_has_no_attachment_and_says_how_long_is_left(
    db: Database,
    mail_settings: Settings,  # noqa: F811
    smtp: SmtpServer,  # noqa: F811
) -> None:
    scene = await make_scene(db, language="en")
    booking = await make_booking(db, scene, utcnow() + timedelta(minutes=50), minutes=30)
    reminder = await _queue(db, scene, booking, "reminder", lead_minutes=60, version=1)
    await deliver_outbox(db, mail_settings, utcnow())
    message = smtp.sink.by_id(outbox_message_id(reminder))
    assert str(message["Subject"]).strip().startswith("Reminder: ")
    text, html, calendars = _parts(message)
    assert "your booking starts in 50 minutes" in text and calendars == []


async def test_a_displaced_booking_lists_its_alternatives_readably(
    db: Database,
    mail_settings: Settings,  # noqa: F811
    smtp: SmtpServer,  # noqa: F811
) -> None:
    scene = await make_scene(db, language="en")
    booking = await make_booking(db, scene, START, status="cancelled")
    later = START + timedelta(days=1)
    alternatives = {
        "slots": [{"start": later.isoformat(), "end": (later + timedelta(hours=1)).isoformat()}],
        "instruments": [
            {"id": 1, "name_zh": "透射电镜", "name_en": "TEM", "institution_name_zh": "吉林大学",
             "institution_name_en": "Jilin University"}
        ],
    }  # fmt: skip
    displaced = await _queue(
        db, scene, booking, "booking_displaced", reason="service", alternatives=alternatives
    )
    await deliver_outbox(db, mail_settings, utcnow())
    text, html, _ = _parts(smtp.sink.by_id(outbox_message_id(displaced)))
    assert "2033-04-06 09:00–10:00 (Asia/Shanghai)" in text
    assert "TEM (Jilin University)" in text and "TEM (Jilin University)" in html
    assert "slots" not in text and "instruments" not in text
