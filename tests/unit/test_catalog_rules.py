"""Catalogue rules and the list query builder, without a database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from service.accounts.principal import Principal
from service.catalog import rules
from service.catalog.sql import list_query, where_clause
from service.search.plan import Plan, Unit


def _principal(**kw: object) -> Principal:
    base: dict[str, object] = {
        "user_id": 1, "email": "a@b.c", "display_name": "a", "institution_id": 10,
        "region_code": "220100", "language": "zh-CN", "is_platform_admin": False,
        "admin_of": frozenset(), "manages": frozenset(),
    }  # fmt: skip
    base.update(kw)
    return Principal(**base)  # type: ignore[arg-type]


def test_like_pattern_escapes_metacharacters() -> None:
    assert rules.like_pattern("50%_a\\b") == "%50\\%\\_a\\\\b%"


def test_the_search_text_is_kept_as_typed_for_the_planner() -> None:
    filters, _ = rules.parse_filters({"q": "  Mass  spectrometer "})
    assert filters.q == "Mass  spectrometer" and filters.sort == "relevance"
    assert rules.parse_filters({})[0].q == ""


def test_parse_filters_reports_every_problem_at_once() -> None:
    params = {"share_mode": "external,public", "status": "x", "sort": "price", "type": "both",
              "value_min": Decimal(5), "value_max": Decimal(1)}  # fmt: skip
    _, violations = rules.parse_filters(params)
    assert {v.rule for v in violations} == {"share_mode", "status", "sort", "type", "value_range"}
    assert "allowed: internal, external, none" in violations[0].message


def test_parse_filters_defaults_and_lists() -> None:
    filters, violations = rules.parse_filters({"share_mode": "external, internal,external"})
    assert violations == []
    assert filters.share_modes == ("external", "internal")
    assert filters.sort == "name" and not filters.include_retired


@pytest.mark.parametrize(
    ("value", "ok"),
    [("0", True), ("12.5", True), ("12.50", True), ("12.345", False), ("-0.01", False),
     ("NaN", False), ("Infinity", False), ("9999999999.99", True), ("10000000000", False)],
)  # fmt: skip
def test_check_value(value: str, ok: bool) -> None:
    assert (rules.check_value(Decimal(value)) == []) is ok


def test_photo_url_and_service_start() -> None:
    assert rules.check_photo_url("https://x.org/a.png") == []
    assert rules.check_photo_url("") == []
    assert rules.check_photo_url("data:image/png;base64,AAAA") != []
    assert rules.check_photo_url("http:///nohost") != []
    today = date(2026, 11, 26)
    assert rules.check_service_start(date(2026, 11, 26), today) == []
    assert rules.check_service_start(date(2026, 11, 27), today) != []


def test_latest_today_is_ahead_of_utc() -> None:
    late_utc = datetime(2026, 11, 26, 20, 0, tzinfo=UTC)  # already the 27th in Changchun
    assert rules.latest_today(late_utc) == date(2026, 11, 27)


def test_if_match_parsing() -> None:
    assert rules.parse_if_match('"7"') == 7
    assert rules.parse_if_match('W/"7"') == 7
    assert rules.parse_if_match(None) is None and rules.parse_if_match("*") is None
    assert rules.parse_if_match('"abc"') == -1
    assert rules.etag(3) == '"3"'


def test_write_permissions() -> None:
    admin = _principal(admin_of=frozenset({10}))
    manager = _principal(manages=frozenset({5}))
    platform = _principal(is_platform_admin=True)
    assert rules.can_create_instrument(admin, 10) and not rules.can_create_instrument(admin, 11)
    assert not rules.can_create_instrument(manager, 10)
    assert rules.can_edit_instrument(manager, 5, 10) and not rules.can_edit_instrument(
        manager, 6, 10
    )
    assert not rules.can_move_instrument(admin, 10, 11) and rules.can_move_instrument(
        platform, 10, 11
    )
    assert not rules.can_move_instrument(manager, 10, 10)


def test_where_clause_uses_parameters_only() -> None:
    filters, _ = rules.parse_filters(
        {"q": "质谱 x'; drop", "region": "220100", "category": "01", "include_retired": True}
    )
    plan = Plan((Unit(words=(("x'",),)), Unit(words=(("drop",),))))
    where, params = where_clause(filters, plan)
    assert "drop" not in where and "220100" not in where
    assert "retired" not in where
    # the match query, then the filters
    assert params == ["('x''') & ('drop')", "220100", "01"]
    query = list_query(filters, plan)
    shared = query.page_params
    # ... then the three rank-tier queries; the page and the total come from one statement
    assert len(shared) == 6 and shared[3:] == list(plan.tiers) and query.counted
    assert f"LIMIT ${len(shared) + 1} OFFSET ${len(shared) + 2}" in query.page_sql
    assert "FROM instrument_search s" in query.page_sql and "AS total" in query.page_sql
    assert query.count_sql.startswith("SELECT count(*)") and query.count_params == params


def test_without_a_query_the_list_reads_the_instruments() -> None:
    filters, _ = rules.parse_filters({"region": "220100"})
    query = list_query(filters, None)
    assert not query.counted and "instrument_search" not in query.page_sql
    assert "i.retired_at IS NULL" in query.page_sql and query.page_params == ["220100"]
