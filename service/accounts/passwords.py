"""argon2id password hashing (OWASP parameters, the argon2-cffi defaults).

Each hash or check holds 64 MiB while it runs, in a worker thread (it takes ~0.2 s and would
stall the event loop). Unbounded, a login burst would fill the default thread pool — up to
min(32, cores + 4) hashes at once, 300-480 MB on a 2-core host and over 1 GiB on 16 cores.
So at most `PASSWORD_HASH_CONCURRENCY` hashes run at once per process (default 2); further
logins wait their turn on an asyncio semaphore (without holding a thread) and are never refused.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

T = TypeVar("T")

_hasher = PasswordHasher()
#: Verified against when the account does not exist, so both paths cost the same.
_DUMMY_HASH = _hasher.hash("not-a-real-password")
DEFAULT_CONCURRENCY = 2

_concurrency = DEFAULT_CONCURRENCY
#: One semaphore per event loop (a semaphore belongs to the loop it first waits on).
_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


def limit_concurrency(hashes: int) -> None:
    """How many hashes may run at once in this process (from settings, at app start)."""
    global _concurrency
    if hashes < 1:
        raise ValueError("password hashing needs at least one slot")
    _concurrency = hashes
    _gates.clear()


def _gate() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    gate = _gates.get(loop)
    if gate is None:
        gate = _gates[loop] = asyncio.Semaphore(_concurrency)
    return gate


async def _in_slot(work: Callable[..., T], *args: str | None) -> T:
    async with _gate():
        return await asyncio.to_thread(work, *args)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


async def hash_password_async(password: str) -> str:
    return await _in_slot(_hasher.hash, password)


def _verify(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(stored: str | None, password: str) -> bool:
    """Check off the event loop: a hash takes long enough to stall other requests."""
    return await _in_slot(_verify, stored, password)
