"""A burst of logins runs at most `PASSWORD_HASH_CONCURRENCY` argon2id checks at once (each
holds 64 MiB); the rest wait their turn and are answered, never refused."""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Literal

import httpx
import pytest
from argon2 import PasswordHasher

from service.accounts import passwords
from service.db import Database
from tests.factories import PASSWORD, make_institution, make_user

BURST = 10


class CountingHasher(PasswordHasher):
    """The real argon2id hasher, noting how many checks run at the same moment."""

    def __init__(self) -> None:
        super().__init__()
        self.running = 0
        self.peak = 0
        self.calls = 0
        self._lock = threading.Lock()

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:  # noqa: A002
        with self._lock:
            self.running += 1
            self.calls += 1
            self.peak = max(self.peak, self.running)
        try:
            return super().verify(hash, password)
        finally:
            with self._lock:
                self.running -= 1


@pytest.fixture
def hasher(monkeypatch: pytest.MonkeyPatch) -> CountingHasher:
    counting = CountingHasher()
    monkeypatch.setattr(passwords, "_hasher", counting)
    return counting


async def test_a_login_burst_hashes_two_at_a_time_and_answers_everyone(
    client: httpx.AsyncClient, db: Database, hasher: CountingHasher
) -> None:
    institution = await make_institution(db)
    users = [await make_user(db, institution) for _ in range(BURST // 2)]
    attempts: list[dict[str, Any]] = [{"email": u.email, "password": PASSWORD} for u in users]
    attempts += [
        {"email": f"nobody-{n}@example.org", "password": PASSWORD} for n in range(BURST // 2)
    ]
    answers = await asyncio.gather(
        *(client.post("/api/v1/auth/login", json=body) for body in attempts)
    )
    assert [a.status_code for a in answers] == [200] * len(users) + [401] * (BURST // 2)
    assert hasher.calls == BURST
    assert 1 <= hasher.peak <= passwords.DEFAULT_CONCURRENCY


async def test_the_limit_follows_the_setting(hasher: CountingHasher) -> None:
    stored = passwords.hash_password(PASSWORD)
    passwords.limit_concurrency(3)
    try:
        results = await asyncio.gather(
            *(passwords.verify_password(stored, PASSWORD) for _ in range(9))
        )
    finally:
        passwords.limit_concurrency(passwords.DEFAULT_CONCURRENCY)
    assert all(results)
    assert hasher.peak <= 3


def test_at_least_one_slot() -> None:
    with pytest.raises(ValueError, match="at least one"):
        passwords.limit_concurrency(0)
