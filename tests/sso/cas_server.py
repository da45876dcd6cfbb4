"""Start django-cas-server on loopback for the tests.

    python -m tests.sso.cas_server PORT '[{"username": …, "password": …, "email": …, "name": …}]'

Migrates a fresh SQLite database, creates the users, allows the service URLs of the tests
(`…/sso/callback?…` on testserver and loopback) and releases three attributes: `mail`,
`cn` (the name) and `uid` (the staff number, here the username). Then serves with Django's
development server until terminated.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile


def _setup(users: list[dict[str, str]]) -> None:
    from cas_server.models import ReplaceAttributName, ServicePattern
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    model = get_user_model()
    for u in users:
        user = model.objects.create_user(u["username"], u["email"], u["password"])
        user.first_name = u.get("name", "")
        user.save()
    pattern = ServicePattern.objects.create(
        pos=1, name="instrument-share",
        pattern=r"^http://(testserver|127\.0\.0\.1:[0-9]+|localhost:[0-9]+)/sso/callback\?",
    )  # fmt: skip
    for name, replace in (("email", "mail"), ("first_name", "cn"), ("username", "uid")):
        ReplaceAttributName.objects.create(name=name, replace=replace, service_pattern=pattern)


def main() -> None:
    port, users = sys.argv[1], json.loads(sys.argv[2] if len(sys.argv) > 2 else "[]")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.sso.cas_settings")
    os.environ.setdefault(
        "CAS_TEST_DB", os.path.join(tempfile.mkdtemp(prefix="cas-"), "cas.sqlite3")
    )
    import django

    django.setup()
    _setup(users)
    from django.core.management import call_command

    call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, use_threading=True)


if __name__ == "__main__":
    main()
