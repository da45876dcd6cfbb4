"""`python -m service admin create --email E [--password-stdin] [--institution CODE]`, and the
same from `ADMIN_EMAIL` / `ADMIN_PASSWORD` after `python -m service migrate`."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import Any

from service.accounts.first_admin import AdminSetupError, ensure_platform_admin
from service.db import Database
from service.settings import Settings


def add_parser(sub: Any) -> None:
    admin = sub.add_parser("admin", help="platform administrators")
    admin_sub = admin.add_subparsers(dest="admin_command", required=True)
    create = admin_sub.add_parser("create", help="create or promote a platform admin (idempotent)")
    create.add_argument("--email", required=True)
    create.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input",
    )
    create.add_argument(
        "--institution", help="institution code of a new account (default: platform operator)"
    )


def _ensure(settings: Settings, email: str, password: str | None, institution: str | None) -> None:
    async def work() -> None:
        db = Database(settings.database_url or "", 1, 2)
        await db.connect()
        try:
            result = await ensure_platform_admin(db, email, password, institution_code=institution)
        finally:
            await db.close()
        state = "created" if result.created else "already present, promoted/kept active"
        changed = "; password set" if result.password_changed else ""
        print(f"platform admin {email}: {state}{changed}")

    try:
        asyncio.run(work())
    except AdminSetupError as exc:
        raise SystemExit(f"admin create: {exc}") from None


def run(settings: Settings, args: argparse.Namespace) -> None:
    password = None
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    _ensure(settings, args.email, password, args.institution)


def admin_from_environment(settings: Settings) -> None:
    """Honour `ADMIN_EMAIL` (and `ADMIN_PASSWORD`, needed for a new account) if set."""
    email = os.environ.get("ADMIN_EMAIL", "").strip()
    if email:
        _ensure(settings, email, os.environ.get("ADMIN_PASSWORD") or None, None)
