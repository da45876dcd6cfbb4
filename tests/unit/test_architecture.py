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
        (
            "cycle",
            "availability <-> bookings <-> calendars <-> notifications <-> ops",
            "packages import each other",
        ),
        ("layering", "service.availability.calendar", "imports bookings"),
        ("layering", "service.availability.manage_controllers", "imports bookings"),
        ("layering", "service.availability.policies", "imports bookings"),
        ("layering", "service.availability.public", "imports bookings"),
        ("layering", "service.availability.refusal", "imports bookings"),
        ("layering", "service.availability.schemas", "imports bookings"),
        ("layering", "service.availability.service", "imports bookings"),
        ("layering", "service.availability.slots", "imports bookings"),
        ("layering", "service.bookings.service", "imports ops"),
        ("layering", "service.catalog.instruments", "imports bookings"),
        ("positional-params", "service.availability.calendar", "add_closure()"),
        ("positional-params", "service.availability.calendar", "list_closures()"),
        ("positional-params", "service.availability.controllers", "get_slots()"),
        ("positional-params", "service.availability.controllers", "search_available()"),
        ("positional-params", "service.availability.manage_controllers", "list_closures()"),
        ("positional-params", "service.availability.openings", "open_intervals()"),
        ("positional-params", "service.availability.policies", "put_institution_policy()"),
        ("positional-params", "service.availability.policies", "put_instrument_policy()"),
        ("positional-params", "service.availability.public", "get_slots()"),
        ("positional-params", "service.availability.public", "search_available()"),
        ("positional-params", "service.availability.refusal", "refusal_for()"),
        ("positional-params", "service.availability.search", "alternative_instruments()"),
        ("positional-params", "service.availability.search", "alternatives_for()"),
        ("positional-params", "service.availability.service", "_open_in_zone()"),
        ("positional-params", "service.availability.service", "bookable_slots()"),
        ("positional-params", "service.availability.service", "free_slots_from()"),
        ("positional-params", "service.availability.service", "next_free_slots()"),
        ("positional-params", "service.bookings.block_routes", "create_block()"),
        ("positional-params", "service.bookings.block_routes", "create_block_series()"),
        ("positional-params", "service.bookings.block_routes", "list_blocks()"),
        ("positional-params", "service.bookings.block_routes", "list_usage()"),
        ("positional-params", "service.bookings.block_routes", "move_block()"),
        ("positional-params", "service.bookings.blocks", "_clear()"),
        ("positional-params", "service.bookings.blocks", "_insert_block()"),
        ("positional-params", "service.bookings.blocks", "cancel_displaced()"),
        ("positional-params", "service.bookings.blocks", "list_blocks()"),
        ("positional-params", "service.bookings.blocks", "move_block()"),
        ("positional-params", "service.bookings.blocks", "place_block()"),
        ("positional-params", "service.bookings.blocks", "place_block_series()"),
        ("positional-params", "service.bookings.blocks", "remove_block()"),
        ("positional-params", "service.bookings.blocks", "tell_displaced()"),
        ("positional-params", "service.bookings.controllers", "_move()"),
        ("positional-params", "service.bookings.controllers", "list_bookings()"),
        ("positional-params", "service.bookings.controllers", "reschedule_booking()"),
        ("positional-params", "service.bookings.idempotency", "claim()"),
        ("positional-params", "service.bookings.idempotency", "store()"),
        ("positional-params", "service.bookings.queries", "list_bookings()"),
        ("positional-params", "service.bookings.reschedule", "_apply()"),
        ("positional-params", "service.bookings.reschedule", "reschedule()"),
        ("positional-params", "service.bookings.rules", "limit_violations()"),
        ("positional-params", "service.bookings.rules", "static_violations()"),
        ("positional-params", "service.bookings.rules", "time_violations()"),
        ("positional-params", "service.bookings.series", "_refuse_if_needed()"),
        ("positional-params", "service.bookings.series", "_try_one()"),
        ("positional-params", "service.bookings.series", "create_series()"),
        ("positional-params", "service.bookings.service", "_create()"),
        ("positional-params", "service.bookings.service", "create()"),
        ("positional-params", "service.bookings.service", "create_one()"),
        ("positional-params", "service.bookings.service", "taken()"),
        ("positional-params", "service.bookings.store", "record_event()"),
        ("positional-params", "service.bookings.store", "user_load()"),
        ("positional-params", "service.bookings.transitions", "_check_timing()"),
        ("positional-params", "service.bookings.transitions", "apply()"),
        ("positional-params", "service.bookings.transitions", "cancel()"),
        ("positional-params", "service.bookings.transitions", "check_outcome_change()"),
        ("positional-params", "service.bookings.transitions", "decide_series()"),
        ("positional-params", "service.bookings.transitions", "transition()"),
        ("positional-params", "service.bookings.transitions", "undo_no_show()"),
        ("positional-params", "service.bookings.usage", "list_usage()"),
        ("positional-params", "service.bookings.usage", "overlap_conflict()"),
        ("positional-params", "service.bookings.usage", "record_usage()"),
        ("positional-params", "service.bookings.writes", "insert()"),
        ("positional-params", "service.bookings.writes", "limit_check()"),
        ("positional-params", "service.bookings.writes", "limit_check_with()"),
        ("positional-params", "service.bookings.writes", "static_check()"),
        ("positional-params", "service.bookings.writes", "terms()"),
        ("positional-params", "service.calendars.cache", "put()"),
        ("positional-params", "service.calendars.controllers", "export_instrument()"),
        ("positional-params", "service.calendars.controllers", "get_feed()"),
        ("positional-params", "service.calendars.controllers", "import_calendar()"),
        ("positional-params", "service.calendars.ics_import", "expand()"),
        ("positional-params", "service.calendars.ics_import", "read_occurrences()"),
        ("positional-params", "service.calendars.import_sandbox", "_child()"),
        ("positional-params", "service.calendars.importer", "_apply()"),
        ("positional-params", "service.calendars.importer", "_insert()"),
        ("positional-params", "service.catalog.controllers", "list_institutions()"),
        ("positional-params", "service.catalog.controllers", "list_instruments()"),
        ("positional-params", "service.catalog.controllers", "update_instrument()"),
        ("positional-params", "service.catalog.directory", "list_institutions()"),
        ("positional-params", "service.catalog.instruments", "update_instrument()"),
        ("positional-params", "service.demo.history", "_people()"),
        ("positional-params", "service.demo.history", "seed_history()"),
        ("positional-params", "service.demo.history_visits", "past_visit()"),
        ("positional-params", "service.demo.history_visits", "place_history()"),
        ("positional-params", "service.demo.history_visits", "upcoming()"),
        ("positional-params", "service.demo.plan", "make_instrument()"),
        ("positional-params", "service.demo.scale", "_instrument_bookings()"),
        ("positional-params", "service.demo.scale", "_instruments()"),
        ("positional-params", "service.demo.scale", "booking_records()"),
        ("positional-params", "service.metrics.available", "seconds_by_day()"),
        ("positional-params", "service.metrics.controllers", "_query()"),
        ("positional-params", "service.metrics.controllers", "_sharing_query()"),
        ("positional-params", "service.metrics.controllers", "flow_matrix()"),
        ("positional-params", "service.metrics.controllers", "flow_matrix_csv()"),
        ("positional-params", "service.metrics.controllers", "my_usage()"),
        ("positional-params", "service.metrics.controllers", "service_records()"),
        ("positional-params", "service.metrics.controllers", "sharing()"),
        ("positional-params", "service.metrics.controllers", "sharing_csv()"),
        ("positional-params", "service.metrics.evaluation", "evaluation_of()"),
        ("positional-params", "service.metrics.mine", "my_usage()"),
        ("positional-params", "service.metrics.periods", "quota_hours()"),
        ("positional-params", "service.metrics.records", "records_page()"),
        ("positional-params", "service.metrics.rollup", "_chunk()"),
        ("positional-params", "service.metrics.routes_reports", "_report()"),
        ("positional-params", "service.metrics.routes_reports", "institution_evaluation()"),
        ("positional-params", "service.metrics.routes_reports", "monitoring_report()"),
        ("positional-params", "service.metrics.routes_reports", "monitoring_report_csv()"),
        ("positional-params", "service.metrics.sharing", "_extras()"),
        ("positional-params", "service.metrics.sharing", "_group_table()"),
        ("positional-params", "service.metrics.sharing", "sharing_page()"),
        ("positional-params", "service.metrics.sharing_sql", "__init__()"),
        ("positional-params", "service.notifications.rules", "after_failure()"),
        ("positional-params", "service.usage.correct", "_revision()"),
        ("positional-params", "service.usage.correct", "correct_session()"),
        ("positional-params", "service.usage.correct", "delete_session()"),
        ("positional-params", "service.web.formatting", "_viewer_part()"),
        ("positional-params", "service.web.formatting", "local_range()"),
        ("positional-params", "service.web.metrics_view", "_query()"),
        ("positional-params", "service.web.metrics_view", "dashboard()"),
        ("positional-params", "service.web.metrics_view", "institution_figures()"),
        ("positional-params", "service.web.metrics_view", "split_by_value()"),
        ("positional-params", "service.web.metrics_view", "table()"),
        ("positional-params", "service.web.pages_account", "preferences_submit()"),
        ("positional-params", "service.web.pages_admin", "institutions_page()"),
        ("positional-params", "service.web.pages_admin", "metrics_page()"),
        ("positional-params", "service.web.pages_auth", "login_submit()"),
        ("positional-params", "service.web.pages_booking_detail", "booking_action()"),
        ("positional-params", "service.web.pages_bookings", "_form_page()"),
        ("positional-params", "service.web.pages_bookings", "_reschedule_page()"),
        ("positional-params", "service.web.pages_bookings", "book_page()"),
        ("positional-params", "service.web.pages_bookings", "my_bookings()"),
        ("positional-params", "service.web.pages_calendar", "policy_submit()"),
        ("positional-params", "service.web.pages_catalogue", "catalogue()"),
        ("positional-params", "service.web.pages_catalogue", "instrument_page()"),
        ("positional-params", "service.web.pages_evaluation", "evaluation_page()"),
        ("positional-params", "service.web.pages_identity", "_members_page()"),
        ("positional-params", "service.web.pages_identity", "members_submit()"),
        ("positional-params", "service.web.pages_institution", "figures_page()"),
        ("positional-params", "service.web.pages_institution", "policy_submit()"),
        ("positional-params", "service.web.pages_manage", "booking_action()"),
        ("positional-params", "service.web.pages_manage", "series_action()"),
        ("positional-params", "service.web.pages_onboarding", "members_submit()"),
        ("positional-params", "service.web.pages_recovery", "_reset_page()"),
        ("positional-params", "service.web.pages_sso", "callback()"),
        ("positional-params", "service.web.pages_sso_admin", "_page()"),
        ("positional-params", "service.web.pages_sso_admin", "sso_submit()"),
        ("positional-params", "service.web.pages_surveys", "_admin_page()"),
        ("positional-params", "service.web.pages_usage", "import_submit()"),
        ("sql-outside-sql-py", "service.availability.calendar", "SQL text"),
        ("sql-outside-sql-py", "service.availability.policies", "SQL text"),
        ("sql-outside-sql-py", "service.availability.public", "SQL text"),
        ("sql-outside-sql-py", "service.availability.refusal", "SQL text"),
        ("sql-outside-sql-py", "service.availability.search", "SQL text"),
        ("sql-outside-sql-py", "service.availability.service", "SQL text"),
        ("sql-outside-sql-py", "service.availability.sharing", "SQL text"),
        ("sql-outside-sql-py", "service.bookings.blocks", "SQL text"),
        ("sql-outside-sql-py", "service.bookings.freed", "SQL text"),
        ("sql-outside-sql-py", "service.bookings.idempotency", "SQL text"),
        ("sql-outside-sql-py", "service.bookings.lifecycle", "SQL text"),
        ("sql-outside-sql-py", "service.bookings.policy", "SQL text"),
        ("sql-outside-sql-py", "service.bookings.queries", "SQL text"),
        ("sql-outside-sql-py", "service.bookings.reschedule", "SQL text"),
        ("sql-outside-sql-py", "service.bookings.series", "SQL text"),
        ("sql-outside-sql-py", "service.bookings.transitions", "SQL text"),
        ("sql-outside-sql-py", "service.bookings.usage", "SQL text"),
        ("sql-outside-sql-py", "service.bookings.writes", "SQL text"),
        ("sql-outside-sql-py", "service.calendars.exports", "SQL text"),
        ("sql-outside-sql-py", "service.calendars.feeds", "SQL text"),
        ("sql-outside-sql-py", "service.calendars.importer", "SQL text"),
        ("sql-outside-sql-py", "service.calendars.invites", "SQL text"),
        ("sql-outside-sql-py", "service.calendars.selection", "SQL text"),
        ("sql-outside-sql-py", "service.calendars.tokens", "SQL text"),
        ("sql-outside-sql-py", "service.catalog.codes", "SQL text"),
        ("sql-outside-sql-py", "service.catalog.directory", "SQL text"),
        ("sql-outside-sql-py", "service.catalog.instruments", "SQL text"),
        ("sql-outside-sql-py", "service.catalog.reference_lists", "SQL text"),
        ("sql-outside-sql-py", "service.catalog.regions", "SQL text"),
        ("sql-outside-sql-py", "service.catalog.search", "SQL text"),
        ("sql-outside-sql-py", "service.demo.figures", "SQL text"),
        ("sql-outside-sql-py", "service.demo.history", "SQL text"),
        ("sql-outside-sql-py", "service.demo.identity", "SQL text"),
        ("sql-outside-sql-py", "service.demo.regions", "SQL text"),
        ("sql-outside-sql-py", "service.demo.registry", "SQL text"),
        ("sql-outside-sql-py", "service.demo.scale", "SQL text"),
        ("sql-outside-sql-py", "service.demo.seed", "SQL text"),
        ("sql-outside-sql-py", "service.metrics.dirty_sql", "SQL text"),
        ("sql-outside-sql-py", "service.metrics.evaluation", "SQL text"),
        ("sql-outside-sql-py", "service.metrics.flows", "SQL text"),
        ("sql-outside-sql-py", "service.metrics.monitoring", "SQL text"),
        ("sql-outside-sql-py", "service.metrics.monitoring_sql", "SQL text"),
        ("sql-outside-sql-py", "service.metrics.ratings", "SQL text"),
        ("sql-outside-sql-py", "service.metrics.rollup", "SQL text"),
        ("sql-outside-sql-py", "service.metrics.rollup_run", "SQL text"),
        ("sql-outside-sql-py", "service.metrics.rollup_sql", "SQL text"),
        ("sql-outside-sql-py", "service.metrics.sharing", "SQL text"),
        ("sql-outside-sql-py", "service.metrics.sharing_sql", "SQL text"),
        ("sql-outside-sql-py", "service.notifications.admin", "SQL text"),
        ("sql-outside-sql-py", "service.notifications.ahead", "SQL text"),
        ("sql-outside-sql-py", "service.notifications.circuit", "SQL text"),
        ("sql-outside-sql-py", "service.notifications.claim", "SQL text"),
        ("sql-outside-sql-py", "service.notifications.delivery", "SQL text"),
        ("sql-outside-sql-py", "service.notifications.reminders", "SQL text"),
        ("sql-outside-sql-py", "service.web.lookups", "SQL text"),
        ("sql-outside-sql-py", "service.web.pages_booking_detail", "SQL text"),
        ("sql-outside-sql-py", "service.web.view", "SQL text"),
        ("web-imports-storage", "service.web.pages_booking_detail", "service.bookings.store"),
        ("web-imports-storage", "service.web.pages_evaluation", "service.surveys.store"),
        ("web-imports-storage", "service.web.pages_surveys", "service.surveys.store"),
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
