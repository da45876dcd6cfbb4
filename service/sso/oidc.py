"""OpenID Connect, authorization code flow with PKCE (S256), through Authlib.

The provider's discovery document must name the configured issuer (OpenID Connect Discovery
§4.3), and the ID token must be signed by a key of its JWKS, issued by that issuer to our
client id, with the nonce of this sign-on (`validate_id_token`). Claims missing from the ID
token are read from the userinfo endpoint, whose `sub` must be the token's.

HTTP to the provider is blocking (Authlib's requests client) and runs in a worker thread with
short timeouts; a provider that does not answer is `ProviderUnavailable`, never a 500.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import requests
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from service.sso.errors import (
    INVALID_ANSWER,
    UNREACHABLE,
    WRONG_ISSUER,
    ProviderUnavailable,
    SignOnRefused,
)

TIMEOUT = 5.0
SCOPE = "openid email profile"
#: Asymmetric signatures only: an HS256 token would be keyed with the client secret.
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"]
#: Clock difference tolerated between us and the provider, in seconds.
LEEWAY = 60
_DISCOVERY_TTL = 300.0
_discovered: dict[str, tuple[float, Endpoints]] = {}


@dataclass(frozen=True, slots=True)
class Endpoints:
    issuer: str
    authorization: str
    token: str
    jwks_uri: str
    userinfo: str


def _get_json(url: str, session: requests.Session | None = None) -> dict[str, Any]:
    try:
        response = (session or requests).get(url, timeout=TIMEOUT)
        response.raise_for_status()
        body = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ProviderUnavailable(UNREACHABLE) from exc
    if not isinstance(body, dict):
        raise ProviderUnavailable(UNREACHABLE)
    return body


def discover(issuer: str) -> Endpoints:
    """The provider's endpoints, from its discovery document (cached for a few minutes)."""
    cached = _discovered.get(issuer)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    doc = _get_json(issuer.rstrip("/") + "/.well-known/openid-configuration")
    if doc.get("issuer") != issuer:
        raise SignOnRefused(WRONG_ISSUER)
    methods = doc.get("code_challenge_methods_supported")
    if methods is not None and "S256" not in methods:
        raise SignOnRefused(INVALID_ANSWER)
    try:
        endpoints = Endpoints(
            issuer=issuer,
            authorization=str(doc["authorization_endpoint"]),
            token=str(doc["token_endpoint"]),
            jwks_uri=str(doc["jwks_uri"]),
            userinfo=str(doc.get("userinfo_endpoint") or ""),
        )
    except KeyError as exc:
        raise ProviderUnavailable(UNREACHABLE) from exc
    _discovered[issuer] = (time.monotonic() + _DISCOVERY_TTL, endpoints)
    return endpoints


def _client(client_id: str, client_secret: str, redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(
        client_id, client_secret, scope=SCOPE, redirect_uri=redirect_uri,
        code_challenge_method="S256",
    )  # fmt: skip


def authorization_url(
    endpoints: Endpoints,
    client_id: str,
    redirect_uri: str,
    *,
    state: str,
    nonce: str,
    code_verifier: str,
) -> str:
    client = _client(client_id, "", redirect_uri)
    url, _ = client.create_authorization_url(
        endpoints.authorization, state=state, nonce=nonce, code_verifier=code_verifier
    )
    return str(url)


def validate_id_token(
    id_token: str,
    jwks: dict[str, Any],
    *,
    issuer: str,
    client_id: str,
    nonce: str,
    access_token: str | None = None,
) -> dict[str, Any]:
    """The token's claims once its signature, issuer, audience, authorized party, expiry,
    nonce and access-token hash are right; `SignOnRefused` otherwise. No I/O."""
    try:
        token = jwt.decode(id_token, KeySet.import_key_set(jwks), algorithms=ALGORITHMS)  # type: ignore[arg-type]
        claims = CodeIDToken(
            token.claims, token.header,
            options={"iss": {"essential": True, "value": issuer},
                     "aud": {"essential": True, "value": client_id}},
            params={"nonce": nonce, "client_id": client_id, "access_token": access_token},
        )  # fmt: skip
        claims.validate(leeway=LEEWAY)
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        raise SignOnRefused(INVALID_ANSWER) from exc
    if not nonce or claims.get("nonce") != nonce:
        raise SignOnRefused(INVALID_ANSWER)
    return dict(claims)


def exchange(
    endpoints: Endpoints,
    client_id: str,
    client_secret: str,
    redirect_uri: str,
    *,
    code: str,
    code_verifier: str,
    nonce: str,
) -> dict[str, Any]:
    """Trade the code for tokens and return the person's claims (ID token, then userinfo)."""
    client = _client(client_id, client_secret, redirect_uri)
    try:
        token = client.fetch_token(
            endpoints.token, code=code, code_verifier=code_verifier, timeout=TIMEOUT
        )
    except OAuthError as exc:  # invalid_grant: a code used twice, another verifier…
        raise SignOnRefused(INVALID_ANSWER) from exc
    except (requests.RequestException, ValueError) as exc:
        raise ProviderUnavailable(UNREACHABLE) from exc
    if not isinstance(token.get("id_token"), str):
        raise SignOnRefused(INVALID_ANSWER)
    jwks = _get_json(endpoints.jwks_uri)
    claims = validate_id_token(
        token["id_token"], jwks, issuer=endpoints.issuer, client_id=client_id, nonce=nonce,
        access_token=token.get("access_token"),
    )  # fmt: skip
    if endpoints.userinfo and token.get("access_token"):
        info = _get_json(endpoints.userinfo, session=client)
        if info.get("sub") != claims["sub"]:
            raise SignOnRefused(INVALID_ANSWER)
        claims = {**info, **claims}
    return claims
