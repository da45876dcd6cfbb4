"""Starting a sign-on: remember the state (hashed), the nonce and the PKCE verifier of this
request for ten minutes, then send the browser to the identity provider.

The state also goes into a short-lived cookie of this browser; the callback must bring both
back (`complete`), so a sign-on started by someone else cannot be finished in this browser.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from service.accounts.secrets import new_secret
from service.db import Database
from service.errors import NotFound
from service.settings import Settings
from service.sso import cas, oidc, store
from service.sso.errors import CONFIG_LOST, ProviderUnavailable
from service.sso.secret_box import SecretUnreadable, open_secret

LIFETIME = timedelta(minutes=10)
CALLBACK_PATH = "/sso/callback"


@dataclass(frozen=True, slots=True)
class Started:
    redirect_to: str
    state: str


def callback_url(settings: Settings) -> str:
    """The one redirect URI of every OpenID provider (the state says which sign-on it ends)."""
    return settings.base_url + CALLBACK_PATH


def service_url(settings: Settings, state: str) -> str:
    """The CAS service URL of one sign-on; the ticket is bound to it."""
    return f"{callback_url(settings)}?{urlencode({'state': state})}"


def client_secret(settings: Settings, provider: store.Provider) -> str:
    try:
        return open_secret(settings.secret_key, provider.client_secret_enc)
    except SecretUnreadable as exc:
        raise ProviderUnavailable(CONFIG_LOST) from exc


async def load_enabled(db: Database, provider_id: int) -> store.Provider:
    async with db.connection() as conn:
        provider = await store.get_provider(conn, provider_id)
    if not provider.enabled:
        raise NotFound(f"Identity provider {provider_id} is not in use.")
    return provider


async def begin(db: Database, settings: Settings, provider_id: int, next_path: str) -> Started:
    provider = await load_enabled(db, provider_id)
    state = new_secret()
    nonce = code_verifier = ""
    if provider.protocol == "oidc":
        nonce, code_verifier = new_secret(), new_secret()
        endpoints = await asyncio.to_thread(oidc.discover, provider.issuer)
        target = oidc.authorization_url(
            endpoints, provider.client_id, callback_url(settings), state=state, nonce=nonce,
            code_verifier=code_verifier,
        )  # fmt: skip
    else:
        target = cas.login_url(provider.issuer, service_url(settings, state))
    pending = store.PendingSignOn(provider.id, nonce, code_verifier, next_path)
    async with db.transaction() as conn:
        await store.save_request(conn, state, pending, LIFETIME)
    return Started(target, state)
