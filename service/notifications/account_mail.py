"""Mails about the account itself (password reset, affiliation confirmation and decisions).

Rendered from the outbox payload alone, which the writer fills with everything the mail
needs: recipient address and name, language, the link, and the institution's names. Nothing
is looked up at delivery time, so the mail says what was true when it was queued.
"""

from __future__ import annotations

from typing import Any

from service.notifications.messages import LABELS, Wording

#: Kind -> language -> wording; `{institution}` and `{hours}` come from the payload.
ACCOUNT_TEXTS: dict[str, dict[str, Wording]] = {
    "password_reset": {
        "zh-CN": Wording(
            "重置您的密码",
            "有人（希望是您本人）请求重置您的账户密码。链接 {hours} 小时内有效，只能使用一次；"
            "如果不是您本人操作，请忽略此邮件，您的密码不会改变。",
        ),
        "en": Wording(
            "Reset your password",
            "Someone, hopefully you, asked to reset the password of your account. The link "
            "works once, for {hours} hours; if it was not you, ignore this mail and your "
            "password stays as it is.",
        ),
    },
    "affiliation_confirm": {
        "zh-CN": Wording(
            "确认您在{institution}的身份",
            "请打开下面的链接，确认您是{institution}的成员。链接 {hours} 小时内有效，只能使用一次。",
        ),
        "en": Wording(
            "Confirm your membership of {institution}",
            "Open the link below to confirm that you belong to {institution}. The link works "
            "once, for {hours} hours.",
        ),
    },
    "affiliation_approved": {
        "zh-CN": Wording(
            "单位身份已确认：{institution}", "{institution}的管理员已确认您是该单位的成员。"
        ),
        "en": Wording(
            "Membership confirmed: {institution}",
            "An administrator of {institution} confirmed that you belong to it.",
        ),
    },
    "affiliation_rejected": {
        "zh-CN": Wording(
            "单位身份未获确认：{institution}",
            "{institution}的管理员未能确认您是该单位的成员。在获得确认之前，您以个人身份使用平台。",
        ),
        "en": Wording(
            "Membership not confirmed: {institution}",
            "An administrator of {institution} could not confirm that you belong to it. Until "
            "it is confirmed you use the platform as an unaffiliated individual.",
        ),
    },
    "sso_link": {
        "zh-CN": Wording(
            "关联{institution}统一身份认证",
            "有人用{institution}的统一身份认证登录，并请求与您的账户关联。如果是您本人，请打开"
            "下面的链接完成关联（{hours} 小时内有效）；否则请忽略此邮件。",
        ),
        "en": Wording(
            "Link your {institution} sign-on",
            "Someone signed in through {institution}'s identity provider and asked to link it "
            "to your account. If that was you, open the link below ({hours} hours); otherwise "
            "ignore this mail.",
        ),
    },
}

LINK_LABELS = {
    "password_reset": ("重置密码", "Reset the password"),
    "affiliation_confirm": ("确认单位身份", "Confirm the membership"),
    "affiliation_approved": ("查看账户", "Open your account"),
    "affiliation_rejected": ("查看账户", "Open your account"),
    "sso_link": ("关联账户", "Link the account"),
}


def recipient(payload: dict[str, Any]) -> str | None:
    """The address the writer chose (an institutional address may differ from the login)."""
    to = payload.get("to")
    return to if isinstance(to, str) and to else None


def account_variables(kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The template variables of an account mail, from its payload alone."""
    lang = "en" if payload.get("language") == "en" else "zh-CN"
    names = payload.get("institution") or {}
    institution = (names.get("en") if lang == "en" else names.get("zh")) or names.get("zh", "")
    fill = {"institution": institution, "hours": payload.get("hours", "")}
    wording = ACCOUNT_TEXTS[kind][lang]
    labels = LABELS[lang]
    zh, en = LINK_LABELS[kind]
    rows = [(labels["reason"], str(payload["reason"]))] if payload.get("reason") else []
    return {
        "lang": lang,
        "subject": wording.subject.format(**fill),
        "greeting": labels["greeting"].format(name=payload.get("name", "")),
        "intro": wording.intro.format(**fill),
        "rows": rows,
        "alternatives_label": labels["alternatives"],
        "alternatives": [],
        "link_label": en if lang == "en" else zh,
        "link": str(payload.get("link", "")),
        "footer": labels["footer"],
    }
