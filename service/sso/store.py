"""Runs the single sign-on SQL on a connection and maps rows; opens no transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from service.accounts.secrets import digest
from service.errors import NotFound
from service.sso import sql
from service.sso.schemas import IdentityProviderOut

#: Advisory-lock namespace of first sign-ons (second key: hashtext of provider and subject).
LOCK_SSO = 0x53534F


@dataclass(frozen=True, slots=True)
class Provider:
    """A provider as the protocols need it (the secret still sealed)."""

    id: int
    institution_id: int
    protocol: str
    issuer: str
    client_id: str
    client_secret_enc: str
    email_claim: str
    name_claim: str
    staff_number_claim: str
    allowed_domains: list[str]
    enabled: bool
    institution_names: dict[str, str]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class PendingSignOn:
    provider_id: int
    nonce: str
    code_verifier: str
    next_path: str


def _provider(row: Any) -> Provider:
    plain = ("id", "institution_id", "protocol", "issuer", "client_id", "client_secret_enc",
             "email_claim", "name_claim", "staff_number_claim", "enabled", "created_at",
             "updated_at")  # fmt: skip
    return Provider(
        **{k: row[k] for k in plain},
        allowed_domains=list(row["allowed_domains"]),
        institution_names={"zh": row["name_zh"], "en": row["name_en"]},
    )


def provider_out(provider: Provider, redirect_uri: str) -> IdentityProviderOut:
    return IdentityProviderOut(
        id=provider.id, institution_id=provider.institution_id,
        protocol=provider.protocol,  # type: ignore[arg-type]
        issuer=provider.issuer, client_id=provider.client_id,
        has_client_secret=bool(provider.client_secret_enc), email_claim=provider.email_claim,
        name_claim=provider.name_claim, staff_number_claim=provider.staff_number_claim,
        allowed_domains=provider.allowed_domains, enabled=provider.enabled,
        redirect_uri=redirect_uri, created_at=provider.created_at, updated_at=provider.updated_at,
    )  # fmt: skip


async def get_provider(conn: asyncpg.Connection, provider_id: int) -> Provider:
    row = await conn.fetchrow(sql.GET_PROVIDER, provider_id)
    if row is None:
        raise NotFound(f"Identity provider {provider_id} does not exist.")
    return _provider(row)


async def providers_of(conn: asyncpg.Connection, institution_id: int) -> list[Provider]:
    return [_provider(r) for r in await conn.fetch(sql.LIST_OF_INSTITUTION, institution_id)]


async def enabled_providers(conn: asyncpg.Connection) -> list[Provider]:
    return [_provider(r) for r in await conn.fetch(sql.LIST_ENABLED)]


async def save_request(
    conn: asyncpg.Connection,
    state: str,
    pending: PendingSignOn,
    lifetime: timedelta,
) -> None:
    await conn.execute(
        sql.INSERT_REQUEST, digest(state), pending.provider_id, pending.nonce,
        pending.code_verifier, pending.next_path, lifetime,
    )  # fmt: skip


async def redeem_request(conn: asyncpg.Connection, state: str) -> PendingSignOn | None:
    row = await conn.fetchrow(sql.REDEEM_REQUEST, digest(state))
    return PendingSignOn(**dict(row)) if row else None


async def identity_user(conn: asyncpg.Connection, provider_id: int, subject: str) -> Any:
    return await conn.fetchrow(sql.IDENTITY_USER, provider_id, subject)


async def lock_subject(conn: asyncpg.Connection, provider_id: int, subject: str) -> None:
    await conn.execute(sql.LOCK_SUBJECT, LOCK_SSO, f"{provider_id}:{subject}")
