"""The stored form of a provider's client secret: Fernet (AES-128-CBC + HMAC-SHA256) under a
key derived from SECRET_KEY with HKDF, so a copy of the database alone does not reveal it.

Rotating SECRET_KEY makes stored secrets unreadable: `open_secret` then raises
`SecretUnreadable`, and an administrator enters the secret again.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_INFO = b"instrument-share identity-provider client secret v1"


class SecretUnreadable(Exception):
    """The stored secret was sealed under another SECRET_KEY."""


def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret_key: str, plain: str) -> str:
    """The empty secret stays empty (CAS providers have none)."""
    return _fernet(secret_key).encrypt(plain.encode()).decode() if plain else ""


def open_secret(secret_key: str, sealed: str) -> str:
    if not sealed:
        return ""
    try:
        return _fernet(secret_key).decrypt(sealed.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable from exc
