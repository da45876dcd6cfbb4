"""Institution admins (and platform admins) set up their institution's identity providers:
one OpenID Connect and one CAS provider at most. The client secret is sealed before it is
stored (`secret_box`) and never returned; every change is in the audit log."""

from __future__ import annotations

import msgspec

from service.accounts.principal import Principal
from service.affiliation.decide import require_admin
from service.affiliation.rules import normalise_domain
from service.affiliation.store import institution_names
from service.audit import store as audit
from service.common.i18n import N_
from service.common.schemas import Violation
from service.db import Database
from service.errors import NotFound, Unprocessable
from service.settings import Settings
from service.sso import rules, sql, store
from service.sso.begin import callback_url
from service.sso.schemas import IdentityProviderIn, IdentityProviderOut, SignOnChoiceOut
from service.sso.secret_box import seal


def _refuse(violations: list[Violation]) -> Unprocessable:
    return Unprocessable(
        violations[0].message, extra={"violations": [msgspec.to_builtins(v) for v in violations]}
    )


def _violations(protocol: str, data: IdentityProviderIn, has_secret: bool) -> list[Violation]:
    found = rules.issuer_violations(data.issuer) + rules.domains_violations(data.allowed_domains)
    if protocol == "oidc" and not data.client_id:
        found.append(Violation("client_id", N_("An OpenID Connect provider needs a client id.")))
    if protocol == "oidc" and not (data.client_secret or has_secret):
        found.append(Violation("client_secret", N_("An OpenID Connect provider needs a client secret.")))  # fmt: skip
    return found


async def list_providers(
    db: Database, settings: Settings, caller: Principal, institution_id: int
) -> list[IdentityProviderOut]:
    require_admin(caller, institution_id)
    async with db.connection() as conn:
        await institution_names(conn, institution_id)
        found = await store.providers_of(conn, institution_id)
    return [store.provider_out(p, callback_url(settings)) for p in found]


async def save_provider(
    db: Database,
    settings: Settings,
    caller: Principal,
    institution_id: int,
    *,
    protocol: str,
    data: IdentityProviderIn,
    address: str,
) -> tuple[IdentityProviderOut, bool]:
    """Create or replace; returns the provider and whether it is new."""
    require_admin(caller, institution_id)
    async with db.transaction() as conn:
        await institution_names(conn, institution_id)
        current = {p.protocol: p for p in await store.providers_of(conn, institution_id)}
        old = current.get(protocol)
        found = _violations(protocol, data, bool(old and old.client_secret_enc))
        if found:
            raise _refuse(found)
        secret = (
            None if data.client_secret is None else seal(settings.secret_key, data.client_secret)
        )
        domains = sorted({normalise_domain(d) for d in data.allowed_domains})
        row = await conn.fetchrow(
            sql.UPSERT_PROVIDER, institution_id, protocol, data.issuer.rstrip("/") if protocol == "cas" else data.issuer,
            data.client_id if protocol == "oidc" else "", secret if protocol == "oidc" else "",
            data.email_claim, data.name_claim, data.staff_number_claim, domains, data.enabled,
        )  # fmt: skip
        await audit.record(
            conn, "identity_provider.saved", actor_user_id=caller.user_id,
            institution_id=institution_id, client_address=address,
            detail={"provider_id": row["id"], "protocol": protocol, "issuer": data.issuer,
                    "secret_changed": data.client_secret is not None, "enabled": data.enabled},
        )  # fmt: skip
        saved = await store.get_provider(conn, row["id"])
    return store.provider_out(saved, callback_url(settings)), bool(row["created"])


async def delete_provider(
    db: Database, caller: Principal, institution_id: int, protocol: str, *, address: str
) -> None:
    """Accounts linked through the provider keep working with their password or a mailed reset;
    their links to it are gone."""
    require_admin(caller, institution_id)
    async with db.transaction() as conn:
        provider_id = await conn.fetchval(sql.DELETE_PROVIDER, institution_id, protocol)
        if provider_id is None:
            raise NotFound(f"Institution {institution_id} has no {protocol} provider.")
        await audit.record(
            conn, "identity_provider.deleted", actor_user_id=caller.user_id,
            institution_id=institution_id, client_address=address,
            detail={"provider_id": provider_id, "protocol": protocol},
        )  # fmt: skip


async def sign_on_choices(db: Database) -> list[SignOnChoiceOut]:
    """The login page's buttons: every enabled provider of an active institution."""
    async with db.connection() as conn:
        found = await store.enabled_providers(conn)
    return [
        SignOnChoiceOut(
            id=p.id,
            protocol=p.protocol,  # type: ignore[arg-type]
            institution_id=p.institution_id,
            institution_name_zh=p.institution_names["zh"],
            institution_name_en=p.institution_names["en"],
            start_url=f"/sso/{p.id}/start",
        )  # fmt: skip
        for p in found
    ]
