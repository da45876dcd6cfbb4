"""The invitation mail, written whole into the outbox payload when the survey opens (in the
recipient's language), so the mail is rendered from the payload alone."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from service.notifications.messages import LABELS

_TEXTS = {
    "zh-CN": {
        "subject": "满意度调查：{title}",
        "intro": "您在 {start} 至 {end} 期间使用了平台上的大型科研仪器。请花一两分钟评价所用仪器的"
        "共享服务：答卷匿名，仪器所属单位只能看到汇总结果。链接只能使用一次。",
        "survey": "调查",
        "period": "使用期间",
        "instruments": "所用仪器",
        "closes": "截止时间",
        "link": "填写问卷",
        "sep": "、",
    },
    "en": {
        "subject": "Satisfaction survey: {title}",
        "intro": "You used research instruments through the platform between {start} and {end}. "
        "Please take a minute or two to rate the service: answers are anonymous, and the "
        "instruments' institutions see only totals. The link works once.",
        "survey": "Survey",
        "period": "Period of use",
        "instruments": "Instruments used",
        "closes": "Closes",
        "link": "Answer the survey",
        "sep": ", ",
    },
}


def invitation_payload(
    *, language: str, name: str, email: str, survey_id: int, titles: tuple[str, str],
    period: tuple[date, date], closes_at: datetime, zone: str,
    instruments: list[tuple[str, str]], link: str,
) -> dict[str, Any]:  # fmt: skip
    """`titles` and each instrument are (zh, en); `period` is half-open, shown inclusive."""
    lang = "en" if language == "en" else "zh-CN"
    t, labels = _TEXTS[lang], LABELS[lang]
    pick = 1 if lang == "en" else 0
    title = titles[pick] or titles[0]
    last = date.fromordinal(period[1].toordinal() - 1)
    closes = f"{closes_at.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M} ({zone})"
    names = t["sep"].join((n[pick] or n[0]) for n in instruments)
    return {
        "prepared": True,
        "survey_id": survey_id,
        "language": lang,
        "to": email,
        "name": name,
        "subject": t["subject"].format(title=title),
        "greeting": labels["greeting"].format(name=name),
        "intro": t["intro"].format(start=period[0].isoformat(), end=last.isoformat()),
        "rows": [
            [t["survey"], title],
            [t["period"], f"{period[0].isoformat()} – {last.isoformat()}"],
            [t["instruments"], names],
            [t["closes"], closes],
        ],
        "link_label": t["link"],
        "link": link,
        "footer": labels["footer"],
    }
