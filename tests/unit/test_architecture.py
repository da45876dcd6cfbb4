"""The house rules of `tests/architecture.py` hold over `service/`, and each rule catches the
problem it names, shown on small made-up packages."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.architecture import Module, load, violations

SERVICE = Path(__file__).resolve().parents[2] / "service"


def test_the_code_keeps_the_house_rules() -> None:
    assert sorted(violations(load(SERVICE))) == []


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
        "Q = f'UPDATE booking b SET status = {1} WHERE id = 2'\n",
        'Q = "INSERT INTO audit_event (action) VALUES ($1)"\n',
        'FROM_PART = "FROM usage_session s JOIN instrument i ON i.id = s.instrument_id"\n',
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


@pytest.mark.parametrize(
    "text",
    [
        'J = "FROM instrument i JOIN institution s ON s.id = i.institution_id'
        ' JOIN region r ON r.code = s.region_code"\n',
        'P = """LEFT JOIN LATERAL (SELECT * FROM booking_policy bp\n'
        '    WHERE bp.instrument_id = n.id OR bp.institution_id = n.institution_id) p ON true"""\n',
        "class P:\n    def add(self, v):\n        self.a.append(v)\n"
        '        return f"${len(self.a)}"\n',
    ],
)
def test_a_copy_of_a_shared_fragment_is_refused_even_in_sql_py(tmp_path: Path, text: str) -> None:
    found = _rules(tmp_path, {"metrics/sql.py": text})
    assert found == {("copied-fragment", "service.metrics.sql")}


def test_the_shared_fragments_written_by_their_functions_pass(tmp_path: Path) -> None:
    text = (
        "from service.common.sql import Params, zone_join\n"
        "from service.policies.sql import effective_policy\n"
        "Q = f\"FROM instrument i {zone_join('i', 's')} {effective_policy('i')}\"\n"
    )
    assert _rules(tmp_path, {"metrics/sql.py": text}) == set()


@pytest.mark.parametrize("leaf", ["service", "public", "views", "handlers"])
def test_a_handler_outside_a_routes_module_is_refused(tmp_path: Path, leaf: str) -> None:
    text = 'from litestar import get\n@get("/x")\nasync def x() -> None: ...\n'
    found = _rules(tmp_path, {f"bookings/{leaf}.py": text})
    assert found == {("handler-outside-routes", f"service.bookings.{leaf}")}


def test_handlers_in_routes_and_web_pages_modules_pass(tmp_path: Path) -> None:
    text = 'import litestar\n@litestar.post("/x")\nasync def x() -> None: ...\n'
    found = _rules(tmp_path, {
        "bookings/routes.py": text, "bookings/routes_blocks.py": text, "web/pages_home.py": text,
        "bookings/pages_home.py": text,
    })  # fmt: skip
    assert found == {("handler-outside-routes", "service.bookings.pages_home")}


@pytest.mark.parametrize(
    "text",
    [
        'ACTIVE = ("pending", "confirmed", "in_use")\n',
        'ACTIVE = frozenset({"confirmed", "no_show"})\n',
        "Q = \"SELECT 1 FROM booking WHERE status IN ('held', 'pending')\"\n",
    ],
)
def test_a_copied_set_of_booking_statuses_is_refused(tmp_path: Path, text: str) -> None:
    found = _rules(tmp_path, {"metrics/sql.py": text})
    assert found == {("copied-code-list", "service.metrics.sql")}


def test_named_sets_and_other_words_pass(tmp_path: Path) -> None:
    text = (
        "from service.common.codes import OCCUPYING, sql_in\n"
        'Q = f"SELECT 1 FROM booking WHERE status IN {sql_in(OCCUPYING)}"\n'
        'MODES = ("internal", "external")\n'
        "K = \"SELECT 1 FROM instrument WHERE share_mode IN ('internal', 'external')\"\n"
    )
    assert _rules(tmp_path, {"metrics/sql.py": text}) == set()
