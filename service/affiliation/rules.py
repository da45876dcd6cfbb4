"""Pure rules of affiliation: e-mail domains and who may decide. No I/O."""

from __future__ import annotations

import re

from service.common.schemas import Violation

#: Mailbox providers anyone can get an address at: they prove nothing about an institution.
PUBLIC_MAIL_DOMAINS = frozenset(
    {
        "126.com", "139.com", "163.com", "189.cn", "aliyun.com", "foxmail.com", "gmail.com",
        "hotmail.com", "icloud.com", "live.com", "mail.com", "outlook.com", "proton.me",
        "protonmail.com", "qq.com", "sina.cn", "sina.com", "sohu.com", "tom.com", "vip.qq.com",
        "yahoo.com", "yeah.net", "yandex.ru",
    }
)  # fmt: skip
_DOMAIN = re.compile(r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
#: States an institution admin may move a membership from, per decision.
DECISIONS = {
    "approve": frozenset({"claimed", "rejected", "revoked"}),
    "reject": frozenset({"claimed"}),
    "revoke": frozenset({"verified"}),
}


def normalise_domain(domain: str) -> str:
    return domain.strip().lower().rstrip(".")


def domain_violations(domain: str) -> list[Violation]:
    if len(domain) > 253 or not _DOMAIN.match(domain):
        return [Violation("domain", "The domain is not a valid DNS name.")]
    if domain in PUBLIC_MAIL_DOMAINS:
        return [Violation("domain", "A public mail provider's domain proves no membership.")]
    return []


def domain_of(email: str) -> str:
    return email.rpartition("@")[2]


def in_domains(email: str, domains: list[str]) -> bool:
    """The address is in one of the domains or in a subdomain of one (mail.jlu.edu.cn is in
    jlu.edu.cn)."""
    host = domain_of(email)
    return any(host == d or host.endswith("." + d) for d in domains)
