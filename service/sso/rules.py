"""Pure rules of single sign-on: which issuer URLs are acceptable, what an identity provider
asserted about a person (from OIDC claims or CAS attributes), and which addresses a provider
may vouch for. No I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from ipaddress import ip_address
from typing import Any
from urllib.parse import urlsplit

from service.accounts.rules import email_violations, normalise_email
from service.affiliation.rules import domain_violations, in_domains, normalise_domain
from service.common.i18n import N_
from service.common.schemas import Violation

_LOOPBACK_NAMES = {"localhost"}


@dataclass(frozen=True, slots=True)
class Assertion:
    """Who the identity provider says signed in."""

    subject: str
    email: str
    name: str
    staff_number: str


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def issuer_violations(issuer: str) -> list[Violation]:
    """HTTPS, no query or fragment; plain HTTP only on loopback (a provider under test)."""
    try:
        parts = urlsplit(issuer)
        host = parts.hostname or ""
        _ = parts.port  # a port that is not a number raises here
    except ValueError:
        return [Violation("issuer", N_("The issuer must be an https:// URL."))]
    if parts.scheme not in {"https", "http"} or not host or len(issuer) > 500:
        return [Violation("issuer", N_("The issuer must be an https:// URL."))]
    if parts.scheme == "http" and not _is_loopback(host):
        return [Violation("issuer", N_("The issuer must be an https:// URL."))]
    if parts.query or parts.fragment or parts.username or parts.password:
        return [
            Violation("issuer", N_("The issuer URL may not carry a query, fragment or password."))
        ]
    return []


def domains_violations(domains: list[str]) -> list[Violation]:
    found: list[Violation] = []
    for domain in domains:
        found += domain_violations(normalise_domain(domain))
    return found[:1]


def first_value(value: Any) -> str:
    """CAS attributes may repeat (a list); OIDC claims are single. Empty when absent."""
    if isinstance(value, list):
        value = value[0] if value else ""
    return "" if value is None else str(value).strip()


def assertion_from(
    subject: str,
    claims: Mapping[str, Any],
    *,
    email_claim: str,
    name_claim: str,
    staff_number_claim: str,
) -> Assertion:
    email = normalise_email(first_value(claims.get(email_claim)))
    return Assertion(
        subject=subject.strip(),
        email=email,
        name=first_value(claims.get(name_claim)) if name_claim else "",
        staff_number=first_value(claims.get(staff_number_claim)) if staff_number_claim else "",
    )


def assertion_problem(assertion: Assertion, allowed_domains: list[str]) -> str | None:
    """Why the assertion cannot open or create an account, or None when it can."""
    if not assertion.subject or len(assertion.subject) > 255:
        return N_("The identity provider sent no usable subject.")
    if not assertion.email or email_violations(assertion.email):
        return N_(
            "The identity provider sent no valid e-mail address; ask the institution to release "
            "the e-mail claim to this service."
        )
    if allowed_domains and not in_domains(assertion.email, allowed_domains):
        return N_("The identity provider vouched for an address outside the institution's domains.")
    return None


def display_name(assertion: Assertion) -> str:
    """A new account's name: the provider's, else the address's local part."""
    name = assertion.name or assertion.email.partition("@")[0]
    return name[:100]
