"""Settings come from the environment; a `.env` file fills gaps and never overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.settings import Settings


def test_env_file_fills_gaps_but_never_overrides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text(
        "BASE_URL=https://from-dotenv.example.org\nPORT=9999\nSMTP_URL=smtp://dotenv:25\n"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PORT", "8123")
    monkeypatch.delenv("BASE_URL", raising=False)
    monkeypatch.delenv("SMTP_URL", raising=False)
    settings = Settings.from_env()
    assert settings.base_url == "https://from-dotenv.example.org"
    assert settings.smtp_url == "smtp://dotenv:25"
    assert settings.port == 8123


def test_production_requires_a_secret_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        Settings.from_env()


def test_cookies_are_secure_outside_local_http(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("BASE_URL", "https://share.example.org")
    assert Settings.from_env().secure_cookies is True
    monkeypatch.setenv("ENVIRONMENT", "development")
    monkeypatch.setenv("BASE_URL", "http://127.0.0.1:8000")
    assert Settings.from_env().secure_cookies is False


def test_hashing_and_shutdown_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PASSWORD_HASH_CONCURRENCY", raising=False)
    monkeypatch.delenv("SHUTDOWN_GRACE_SECONDS", raising=False)
    assert Settings.from_env().password_hash_concurrency == 2
    assert Settings.from_env().shutdown_grace_seconds == 8
    monkeypatch.setenv("PASSWORD_HASH_CONCURRENCY", "4")
    monkeypatch.setenv("SHUTDOWN_GRACE_SECONDS", "3")
    assert Settings.from_env().password_hash_concurrency == 4
    assert Settings.from_env().shutdown_grace_seconds == 3
