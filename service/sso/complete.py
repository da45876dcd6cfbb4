"""Finishing a sign-on at the callback: the state must be this browser's and unused, the
provider's answer must verify, and the assertion must name a usable address; then `account`
maps it to one local account.

The pending request is used up *before* the provider is asked anything, so a replayed
callback (the same state, code or ticket again) is refused whatever the provider would say.
"""

from __future__ import annotations

import asyncio
import hmac
from dataclasses import dataclass

from service.db import Database
from service.settings import Settings
from service.sso import account, cas, oidc, rules, store
from service.sso.begin import callback_url, client_secret, load_enabled, service_url
from service.sso.errors import CANCELLED, EXPIRED, NOT_THIS_BROWSER, SignOnRefused


@dataclass(frozen=True, slots=True)
class Callback:
    """What the provider sent back, and the state cookie this browser kept."""

    state: str
    cookie_state: str
    code: str = ""
    ticket: str = ""
    error: str = ""


async def _assertion(
    settings: Settings, provider: store.Provider, pending: store.PendingSignOn, answer: Callback
) -> rules.Assertion:
    if provider.protocol == "oidc":
        endpoints = await asyncio.to_thread(oidc.discover, provider.issuer)
        claims = await asyncio.to_thread(
            oidc.exchange, endpoints, provider.client_id, client_secret(settings, provider),
            callback_url(settings), code=answer.code, code_verifier=pending.code_verifier,
            nonce=pending.nonce,
        )  # fmt: skip
        subject = str(claims.get("sub", ""))
    else:
        subject, claims = await asyncio.to_thread(
            cas.validate, provider.issuer, service_url(settings, answer.state), answer.ticket
        )
    return rules.assertion_from(
        subject, claims, email_claim=provider.email_claim, name_claim=provider.name_claim,
        staff_number_claim=provider.staff_number_claim,
    )  # fmt: skip


async def complete(
    db: Database,
    settings: Settings,
    answer: Callback,
    *,
    language: str,
    old_session_id: str | None,
    address: str,
) -> account.SignedIn | account.LinkNeeded:
    if not answer.state or not hmac.compare_digest(answer.state, answer.cookie_state):
        raise SignOnRefused(NOT_THIS_BROWSER)
    async with db.transaction() as conn:
        pending = await store.redeem_request(conn, answer.state)
    if pending is None:
        raise SignOnRefused(EXPIRED)
    provider = await load_enabled(db, pending.provider_id)
    if answer.error or not (answer.code if provider.protocol == "oidc" else answer.ticket):
        raise SignOnRefused(CANCELLED)
    assertion = await _assertion(settings, provider, pending, answer)
    problem = rules.assertion_problem(assertion, provider.allowed_domains)
    if problem:
        raise SignOnRefused(problem)
    return await account.sign_in(
        db, provider, assertion, pending.next_path, language=language,
        old_session_id=old_session_id, address=address,
    )  # fmt: skip
