"""The house rules of `tests/architecture.py` hold over `service/`, apart from the debts listed
here, which may only shrink; and each rule catches the problem it names, shown on small made-up
packages."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.architecture import Module, Violation, load, violations

SERVICE = Path(__file__).resolve().parents[2] / "service"

#: What the code still owes the house. Fixing one makes the test fail until its line goes.
DEBTS = {
    Violation(*row)
    for row in [
        ("cycle", "accounts <-> affiliation <-> audit", "packages import each other"),
        ("cycle", "catalog <-> policies", "packages import each other"),
        ("layering", "service.accounts.auth_service", "imports audit"),
        ("layering", "service.accounts.controllers", "imports affiliation"),
        ("layering", "service.accounts.credentials", "imports audit"),
        ("layering", "service.accounts.first_admin", "imports audit"),
        ("layering", "service.accounts.password_reset", "imports audit"),
        ("layering", "service.accounts.roles", "imports audit"),
        ("layering", "service.accounts.tokens", "imports audit"),
        ("layering", "service.accounts.user_admin", "imports audit"),
        ("layering", "service.affiliation.domains", "imports audit"),
        ("layering", "service.affiliation.store", "imports audit"),
        ("layering", "service.catalog.instruments", "imports policies"),
        ("layering", "service.evaluators.assign", "imports audit"),
        ("layering", "service.evaluators.audit", "imports audit"),
        ("positional-params", "service.accounts.admin_controllers", "grant_institution_admin()"),
        ("positional-params", "service.accounts.admin_controllers", "grant_manager()"),
        ("positional-params", "service.accounts.admin_controllers", "list_users()"),
        ("positional-params", "service.accounts.admin_controllers", "revoke_institution_admin()"),
        ("positional-params", "service.accounts.admin_controllers", "revoke_manager()"),
        ("positional-params", "service.accounts.admin_controllers", "update_user()"),
        ("positional-params", "service.accounts.auth_service", "_failed()"),
        ("positional-params", "service.accounts.auth_service", "login()"),
        ("positional-params", "service.accounts.controllers", "update_me()"),
        ("positional-params", "service.accounts.credentials", "checked_new_hash()"),
        ("positional-params", "service.accounts.roles", "set_institution_admin()"),
        ("positional-params", "service.accounts.roles", "set_instrument_manager()"),
        ("positional-params", "service.accounts.tokens", "_audit()"),
        ("positional-params", "service.accounts.user_admin", "_audit_patch()"),
        ("positional-params", "service.accounts.user_admin", "patch_user()"),
        ("positional-params", "service.affiliation.decide", "_tell()"),
        ("positional-params", "service.affiliation.decide", "decide()"),
        ("positional-params", "service.affiliation.decide", "list_memberships()"),
        ("positional-params", "service.affiliation.decide", "set_end()"),
        ("positional-params", "service.affiliation.domains", "_audit()"),
        ("positional-params", "service.affiliation.domains", "add_domain()"),
        ("positional-params", "service.affiliation.domains", "remove_domain()"),
        ("positional-params", "service.affiliation.routes", "add_domain()"),
        ("positional-params", "service.affiliation.routes", "handler()"),
        ("positional-params", "service.affiliation.routes", "list_memberships()"),
        ("positional-params", "service.affiliation.routes", "remove_domain()"),
        ("positional-params", "service.affiliation.routes", "update_membership()"),
        ("positional-params", "service.audit.read", "read_events()"),
        ("positional-params", "service.audit.routes", "list_audit_events()"),
        ("positional-params", "service.enterprises.merge", "merge()"),
        ("positional-params", "service.enterprises.routes", "merge()"),
        ("positional-params", "service.errors", "problem_response()"),
        ("positional-params", "service.evaluators.assign", "set_evaluator()"),
        ("positional-params", "service.onboarding.invite", "_mail_payload()"),
        ("positional-params", "service.onboarding.routes", "import_institution_users()"),
        ("positional-params", "service.onboarding.routes", "import_registry_instruments()"),
        ("positional-params", "service.registry.routes", "catalogue_export()"),
        ("positional-params", "service.registry.routes", "service_records_export()"),
        ("positional-params", "service.scheduler.registry", "run_job()"),
        ("positional-params", "service.scheduler.runs", "finish_run()"),
        ("positional-params", "service.sso.account", "_create()"),
        ("positional-params", "service.sso.account", "attach()"),
        ("positional-params", "service.sso.configure", "save_provider()"),
        ("positional-params", "service.sso.routes", "delete_provider()"),
        ("positional-params", "service.sso.routes", "save_provider()"),
        ("positional-params", "service.surveys.opening", "_invite()"),
        ("positional-params", "service.surveys.opening", "open_survey()"),
        ("positional-params", "service.surveys.results", "survey_results()"),
        ("positional-params", "service.surveys.routes", "survey_results()"),
        ("positional-params", "service.surveys.routes", "survey_results_csv()"),
        ("sql-outside-sql-py", "service.accounts.auth_service", "SQL text"),
        ("sql-outside-sql-py", "service.accounts.credentials", "SQL text"),
        ("sql-outside-sql-py", "service.accounts.first_admin", "SQL text"),
        ("sql-outside-sql-py", "service.accounts.lookups", "SQL text"),
        ("sql-outside-sql-py", "service.accounts.membership", "SQL text"),
        ("sql-outside-sql-py", "service.accounts.one_time", "SQL text"),
        ("sql-outside-sql-py", "service.accounts.password_reset", "SQL text"),
        ("sql-outside-sql-py", "service.accounts.principal", "SQL text"),
        ("sql-outside-sql-py", "service.accounts.roles", "SQL text"),
        ("sql-outside-sql-py", "service.accounts.throttle", "SQL text"),
        ("sql-outside-sql-py", "service.accounts.tokens", "SQL text"),
        ("sql-outside-sql-py", "service.accounts.user_admin", "SQL text"),
        ("sql-outside-sql-py", "service.accounts.users", "SQL text"),
        ("sql-outside-sql-py", "service.affiliation.confirm", "SQL text"),
        ("sql-outside-sql-py", "service.affiliation.decide", "SQL text"),
        ("sql-outside-sql-py", "service.affiliation.domains", "SQL text"),
        ("sql-outside-sql-py", "service.catalog.lookups", "SQL text"),
        ("sql-outside-sql-py", "service.enterprises.merge", "SQL text"),
        ("sql-outside-sql-py", "service.enterprises.register", "SQL text"),
        ("sql-outside-sql-py", "service.onboarding.invite", "SQL text"),
        ("sql-outside-sql-py", "service.ops.backup", "SQL text"),
        ("sql-outside-sql-py", "service.ops.db_metrics", "SQL text"),
        ("sql-outside-sql-py", "service.scheduler.maintenance", "SQL text"),
        ("sql-outside-sql-py", "service.scheduler.runs", "SQL text"),
        ("sql-outside-sql-py", "service.search.index", "SQL text"),
        ("sql-outside-sql-py", "service.sso.account", "SQL text"),
        ("sql-outside-sql-py", "service.sso.link", "SQL text"),
        ("sql-outside-sql-py", "service.surveys.lookups", "SQL text"),
    ]
}


def test_the_code_keeps_the_house_rules_apart_from_the_listed_debts() -> None:
    found = violations(load(SERVICE))
    assert sorted(found - DEBTS) == [], "new breaches of the house rules"
    assert sorted(DEBTS - found) == [], "paid debts: remove them from DEBTS"


def _package(tmp_path: Path, files: dict[str, str]) -> list[Module]:
    root = tmp_path / "service"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return load(root)


def _rules(tmp_path: Path, files: dict[str, str]) -> set[tuple[str, str]]:
    return {(v.rule, v.module) for v in violations(_package(tmp_path, files))}


def test_code_that_keeps_the_rules_passes(tmp_path: Path) -> None:
    assert _rules(tmp_path, {
        "bookings/sql.py": 'INSERT = "INSERT INTO booking (id) VALUES ($1)"\n',
        "bookings/store.py": "import asyncpg\nfrom service.bookings import sql\n",
        "bookings/rules.py": "from datetime import time\nOPEN = time(8)\n",
        "bookings/create.py": "from service.bookings import store\nfrom service.catalog import x\n",
        "web/pages.py": "from service.bookings import create\n",
    }) == set()  # fmt: skip


def test_a_package_importing_a_higher_layer_is_refused(tmp_path: Path) -> None:
    found = _rules(tmp_path, {"catalog/instruments.py": "from service.bookings import policy\n"})
    assert found == {("layering", "service.catalog.instruments")}


def test_a_lazy_import_counts_too(tmp_path: Path) -> None:
    found = _rules(tmp_path, {
        "accounts/users.py": "def f():\n    from service.web import pages\n    return pages\n",
    })  # fmt: skip
    assert found == {("layering", "service.accounts.users")}


def test_packages_importing_each_other_are_a_cycle(tmp_path: Path) -> None:
    found = _rules(tmp_path, {
        "availability/slots.py": "from service.bookings import rules\n",
        "bookings/rules.py": "from service.availability import slots\n",
    })  # fmt: skip
    assert ("cycle", "availability <-> bookings") in found


def test_a_package_missing_from_the_layers_is_refused(tmp_path: Path) -> None:
    found = _rules(tmp_path, {"billing/invoice.py": "from service.bookings import create\n"})
    assert found == {("unknown-package", "service.billing.invoice")}


@pytest.mark.parametrize(
    "text",
    [
        'Q = "SELECT id FROM booking WHERE user_id = $1"\n',
        'async def f(conn):\n    await conn.execute("DELETE FROM booking WHERE id = $1", 1)\n',
        "Q = f'UPDATE booking SET status = {1} WHERE id = 2'\n",
        'Q = "INSERT INTO audit_event (action) VALUES ($1)"\n',
    ],
)
def test_sql_outside_sql_py_and_store_py_is_refused(tmp_path: Path, text: str) -> None:
    found = _rules(tmp_path, {"bookings/lifecycle.py": text})
    assert found == {("sql-outside-sql-py", "service.bookings.lifecycle")}


def test_prose_that_mentions_selecting_is_not_sql(tmp_path: Path) -> None:
    text = '"""Select a free slot from the calendar, then update the form."""\n'
    assert _rules(tmp_path, {"bookings/lifecycle.py": text}) == set()


@pytest.mark.parametrize(
    "text",
    [
        "from service.bookings import store\n",
        "from service.bookings.store import load_booking\n",
        "from service.bookings import sql\n",
        "import asyncpg\n",
    ],
)
def test_web_reaching_storage_is_refused(tmp_path: Path, text: str) -> None:
    found = _rules(tmp_path, {"web/pages_booking.py": text})
    assert ("web-imports-storage", "service.web.pages_booking") in found


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("import asyncpg\n", "pure-module-io"),
        ("from service.db import Database\n", "pure-module-io"),
        ("from service.bookings.store import load\n", "pure-module-io"),
        ("import httpx\n", "pure-module-io"),
        ("from service.common.time import utcnow\nNOW = utcnow()\n", "pure-module-clock"),
        ("from datetime import datetime\nNOW = datetime.now()\n", "pure-module-clock"),
        ("import time\nT = time.time()\n", "pure-module-clock"),
    ],
)
def test_a_pure_module_doing_io_or_reading_the_clock_is_refused(
    tmp_path: Path, text: str, rule: str
) -> None:
    assert (rule, "service.bookings.rules") in _rules(tmp_path, {"bookings/rules.py": text})


def test_more_than_four_positional_parameters_are_refused(tmp_path: Path) -> None:
    text = (
        "def ok(a, b, c, d, *, e): ...\n"
        "class C:\n    def ok(self, a, b, c, d): ...\n"
        "async def book(db, user, instrument, start, end): ...\n"
    )
    found = violations(_package(tmp_path, {"bookings/create.py": text}))
    assert [(v.rule, v.detail) for v in found] == [("positional-params", "book()")]
