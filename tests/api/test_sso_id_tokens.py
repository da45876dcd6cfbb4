"""The ID-token checks on real tokens minted by the OpenID provider: a token for another
client, from another issuer (signed with the same key) or with another sign-on's nonce is
refused; the same token with the right expectations passes, so each refusal is the check's."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from authlib.integrations.requests_client import OAuth2Session

from service.accounts.secrets import new_secret
from service.sso import oidc
from service.sso.errors import SignOnRefused
from tests.factories import unique
from tests.sso_support import APP, CLIENT_ID, OidcServer

REDIRECT = f"{APP}/sso/callback"


@pytest.fixture(scope="module")
def idp() -> Iterator[OidcServer]:
    server = OidcServer([REDIRECT])
    try:
        yield server
    finally:
        server.stop()


def _mint(issuer: str, client_id: str, nonce: str) -> dict[str, Any]:
    """Run the code flow for `client_id` straight against the provider; its token answer."""
    endpoints = oidc.discover(issuer)
    verifier = new_secret()
    url = oidc.authorization_url(
        endpoints, client_id, REDIRECT, state=new_secret(), nonce=nonce, code_verifier=verifier
    )
    with httpx.Client(timeout=10) as browser:
        form = browser.get(url, follow_redirects=True)
        step = browser.post(f"{form.url}/login", data={"login": unique("tok").lower()})
        while not step.headers["location"].startswith(REDIRECT):
            step = browser.get(step.url.join(step.headers["location"]))
    code = httpx.URL(step.headers["location"]).params["code"]
    session = OAuth2Session(client_id, f"{client_id}-secret", redirect_uri=REDIRECT)
    return dict(session.fetch_token(endpoints.token, code=code, code_verifier=verifier))


async def _token(issuer: str, client_id: str, nonce: str) -> tuple[str, dict[str, Any]]:
    answer = await asyncio.to_thread(_mint, issuer, client_id, nonce)
    async with httpx.AsyncClient() as http:
        jwks = (await http.get(oidc.discover(issuer).jwks_uri)).json()
    return str(answer["id_token"]), jwks


async def test_a_token_for_another_client_is_refused(idp: OidcServer) -> None:
    nonce = new_secret()
    token, jwks = await _token(idp.issuer, "another-client", nonce)
    claims = oidc.validate_id_token(
        token, jwks, issuer=idp.issuer, client_id="another-client", nonce=nonce
    )
    assert claims["aud"] == "another-client"
    with pytest.raises(SignOnRefused):
        oidc.validate_id_token(token, jwks, issuer=idp.issuer, client_id=CLIENT_ID, nonce=nonce)


async def test_a_token_from_another_issuer_is_refused_though_the_key_is_the_same(
    idp: OidcServer,
) -> None:
    nonce = new_secret()
    other = idp.issuers[1]
    token, jwks = await _token(other, CLIENT_ID, nonce)
    assert oidc.validate_id_token(token, jwks, issuer=other, client_id=CLIENT_ID, nonce=nonce)
    with pytest.raises(SignOnRefused):
        oidc.validate_id_token(token, jwks, issuer=idp.issuer, client_id=CLIENT_ID, nonce=nonce)


async def test_a_token_with_another_sign_ons_nonce_is_refused(idp: OidcServer) -> None:
    nonce = new_secret()
    token, jwks = await _token(idp.issuer, CLIENT_ID, nonce)
    assert oidc.validate_id_token(token, jwks, issuer=idp.issuer, client_id=CLIENT_ID, nonce=nonce)
    for replayed_into in (new_secret(), ""):
        with pytest.raises(SignOnRefused):
            oidc.validate_id_token(
                token, jwks, issuer=idp.issuer, client_id=CLIENT_ID, nonce=replayed_into
            )


async def test_a_token_signed_with_another_key_is_refused(idp: OidcServer) -> None:
    nonce = new_secret()
    token, _ = await _token(idp.issuer, CLIENT_ID, nonce)
    from joserfc.jwk import RSAKey

    stranger = {
        "keys": [RSAKey.generate_key(2048, parameters={"kid": "test-key"}).as_dict(private=False)]
    }
    with pytest.raises(SignOnRefused):
        oidc.validate_id_token(token, stranger, issuer=idp.issuer, client_id=CLIENT_ID, nonce=nonce)
