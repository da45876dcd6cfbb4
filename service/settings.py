"""Typed settings read once from the environment.

A `.env` file in the working directory may fill gaps but never overrides a variable that is
already set, so what the operator exported always wins.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from dotenv import dotenv_values

DEFAULT_MAIL_FROM = "Instrument Share <noreply@instrument-share.org>"
_TRUE = {"1", "true", "yes", "on"}


def _env() -> dict[str, str]:
    merged = {k: v for k, v in dotenv_values(".env").items() if v is not None}
    merged.update(os.environ)
    return merged


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str | None = None
    data_dir: Path = Path(".data")
    base_url: str = "http://127.0.0.1:8000"
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    smtp_url: str = "smtp://127.0.0.1:1025"
    mail_from: str = DEFAULT_MAIL_FROM
    environment: str = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    scheduler_enabled: bool = True
    #: Caps every job's interval (seconds); for demos and tests that cannot wait 30 s a tick.
    scheduler_max_interval: float | None = None
    log_level: str = "INFO"
    db_pool_min: int = 2
    db_pool_max: int = 10
    max_body_bytes: int = 1_048_576
    login_max_failures: int = 5
    login_window_minutes: int = 15
    #: Failures from one client address (any accounts) before its attempts are delayed.
    login_address_max_failures: int = 50
    #: Addresses or networks of reverse proxies whose X-Forwarded-For is believed.
    trusted_proxies: tuple[str, ...] = ()
    quota_general_hours: int = 1400
    quota_special_hours: int = 800
    #: The choices the national evaluation rules leave open (see `service.metrics.definitions`).
    evaluated_min_value: Decimal = Decimal(50)
    quota_in_progress: str = "elapsed"
    normal_ratio_base: str = "evaluated"
    report_timezone: str = "Asia/Shanghai"
    #: Time budget of reading one uploaded `.ics` file (parsing and expanding recurrences).
    ics_import_max_seconds: float = 5.0
    #: Mail retries: first delay, longest delay, and how long after its first failure a notice
    #: is still tried (then it is dead). The same backoff paces probes during a mail outage.
    mail_retry_base_seconds: float = 30.0
    mail_retry_max_seconds: float = 3600.0
    mail_retry_horizon_seconds: float = 48 * 3600.0
    #: argon2id hashes running at once per process (each holds 64 MiB); more logins queue.
    password_hash_concurrency: int = 2
    #: On SIGTERM/SIGINT: how long in-flight requests and running jobs may take to finish
    #: before they are cancelled. Keep it below the supervisor's kill timeout (docker: 10 s).
    shutdown_grace_seconds: int = 8
    #: Users hear this many days ahead of a maintenance block or closure on the day of a
    #: booking of theirs (`notifications.ahead`).
    notice_days_before_closure: int = 3

    @property
    def is_development(self) -> bool:
        return self.environment in {"development", "test"}

    @property
    def secure_cookies(self) -> bool:
        """Cookies are `Secure` everywhere but on plain-HTTP local development."""
        return not (self.is_development and self.base_url.startswith("http://"))

    @classmethod
    def from_env(cls) -> Settings:
        env = _env()

        def get(name: str, default: str) -> str:
            return env.get(name, default) or default

        secret = env.get("SECRET_KEY") or ""
        environment = get("ENVIRONMENT", "development")
        if not secret:
            if environment not in {"development", "test"}:
                raise RuntimeError("SECRET_KEY must be set outside development")
            secret = "development-only-secret-key-change-me"  # noqa: S105
        return cls(
            database_url=env.get("DATABASE_URL") or None,
            data_dir=Path(get("DATA_DIR", ".data")),
            base_url=get("BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
            secret_key=secret,
            smtp_url=get("SMTP_URL", "smtp://127.0.0.1:1025"),
            mail_from=get("MAIL_FROM", DEFAULT_MAIL_FROM),
            environment=environment,
            host=get("HOST", "127.0.0.1"),
            port=int(get("PORT", "8000")),
            workers=int(get("WEB_CONCURRENCY", "1")),
            scheduler_enabled=get("SCHEDULER_ENABLED", "true").lower() in _TRUE,
            scheduler_max_interval=float(env["SCHEDULER_MAX_INTERVAL"])
            if env.get("SCHEDULER_MAX_INTERVAL")
            else None,
            log_level=get("LOG_LEVEL", "INFO").upper(),
            db_pool_min=int(get("DB_POOL_MIN", "2")),
            db_pool_max=int(get("DB_POOL_MAX", "10")),
            max_body_bytes=int(get("MAX_BODY_BYTES", "1048576")),
            login_max_failures=int(get("LOGIN_MAX_FAILURES", "5")),
            login_window_minutes=int(get("LOGIN_WINDOW_MINUTES", "15")),
            login_address_max_failures=int(get("LOGIN_ADDRESS_MAX_FAILURES", "50")),
            trusted_proxies=tuple(
                p.strip() for p in env.get("TRUSTED_PROXIES", "").split(",") if p.strip()
            ),
            quota_general_hours=int(get("QUOTA_GENERAL_HOURS", "1400")),
            quota_special_hours=int(get("QUOTA_SPECIAL_HOURS", "800")),
            evaluated_min_value=Decimal(get("EVALUATED_MIN_VALUE", "50")),
            quota_in_progress=get("QUOTA_IN_PROGRESS", "elapsed"),
            normal_ratio_base=get("NORMAL_RATIO_BASE", "evaluated"),
            report_timezone=get("REPORT_TIMEZONE", "Asia/Shanghai"),
            ics_import_max_seconds=float(get("ICS_IMPORT_MAX_SECONDS", "5")),
            mail_retry_base_seconds=float(get("MAIL_RETRY_BASE_SECONDS", "30")),
            mail_retry_max_seconds=float(get("MAIL_RETRY_MAX_SECONDS", "3600")),
            mail_retry_horizon_seconds=float(get("MAIL_RETRY_HORIZON_SECONDS", "172800")),
            password_hash_concurrency=int(get("PASSWORD_HASH_CONCURRENCY", "2")),
            shutdown_grace_seconds=int(get("SHUTDOWN_GRACE_SECONDS", "8")),
            notice_days_before_closure=int(get("NOTICE_DAYS_BEFORE_CLOSURE", "3")),
        )
