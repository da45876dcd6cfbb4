"""Random secrets and their stored forms.

Bearer tokens, session ids and feed tokens are 256-bit random values: a single SHA-256 is a
safe stored form for them and costs microseconds, unlike argon2 (~230 ms), which is kept for
passwords only.
"""

from __future__ import annotations

import hashlib
import secrets


def new_secret(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()
