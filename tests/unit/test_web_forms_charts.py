"""The pure parts of the new pages: opening-hours text, the policy form, the navigation per
role, the chart configurations, the heat map and the best/worst ranking."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from service.accounts.principal import Principal
from service.metrics.schemas import FlowOut, FlowRegionOut, MetricsRowOut
from service.web import charts, nav
from service.web.forms import (
    PolicyForm,
    hours_text,
    parse_hours_text,
    parse_local,
    policy_values,
)

NAMES = {
    k: k for k in ("effective", "external", "cross", "rate", "hours", "rate_axis", "in_progress")
}


def row(key: str, effective: float, external: float, rate: float | None) -> MetricsRowOut:
    return MetricsRowOut(
        key=key, label=f"L{key}", effective_hours=effective, external_hours=external,
        cross_region_hours=0.0, internal_hours=effective - external, sharing_rate=rate,
        utilisation=None, quota_hours=0.0, booked_hours=0.0, booked_vs_used=None,
        no_show_rate=None, bookings=0, no_shows=0, cancellations=0, late_cancellations=0,
        external_institutions=0, instruments=1, available_hours=0.0, sessions=0,
        satisfaction_avg=None, satisfaction_count=0,
    )  # fmt: skip


def person(**roles: object) -> Principal:
    values: dict[str, object] = {"user_id": 1, "email": "a@b.org", "display_name": "A",
        "institution_id": 7, "region_code": "220100", "language": "zh-CN",
        "is_platform_admin": False, "admin_of": frozenset(), "manages": frozenset()}  # fmt: skip
    return Principal(**{**values, **roles})  # type: ignore[arg-type]


def test_opening_hours_text_is_split_into_intervals_and_back() -> None:
    found, bad = parse_hours_text(2, "8:30-12:00， 13:30 – 17:30;18:00~24:00")
    assert bad == []
    assert [(i["opens"], i["closes"]) for i in found] == [
        ("08:30", "12:00"), ("13:30", "17:30"), ("18:00", "24:00"),
    ]  # fmt: skip
    assert all(i["weekday"] == 2 for i in found)
    assert hours_text([(i["opens"], i["closes"]) for i in found]).startswith("08:30-12:00, ")
    assert parse_hours_text(1, "") == ([], [])
    assert parse_hours_text(1, "nine-five 09:00")[1] == ["nine-five", "09:00"]
    assert parse_hours_text(1, "25:00-26:00")[1] == ["25:00-26:00"]


def test_the_policy_form_keeps_empty_limits_as_no_limit_and_names_bad_numbers() -> None:
    form = PolicyForm(min_minutes="60", max_minutes="", fee_internal="12.50",
                      max_hours_per_day="", approval="all")  # fmt: skip
    values, bad = policy_values(form, ["occupy"])
    assert bad == [] and values["min_minutes"] == 60 and "max_minutes" not in values
    assert values["max_hours_per_day"] is None and values["fee_internal"] == "12.50"
    assert values["service_ways"] == ["occupy"] and values["approval"] == "all"
    _, bad = policy_values(
        PolicyForm(min_minutes="1.5", fee_enterprise="NaN", horizon_days="x"), []
    )
    assert sorted(bad) == ["fee_enterprise", "horizon_days", "min_minutes"]


def test_navigation_offers_each_role_its_own_pages_only() -> None:
    def hrefs(user: Principal | None) -> list[str]:
        return [link.href for link in nav.links(user)]

    assert hrefs(None) == ["/instruments"]
    assert hrefs(person()) == ["/instruments", "/bookings", "/account"]
    assert "/manage" in hrefs(person(manages=frozenset({3})))
    admin = hrefs(person(admin_of=frozenset({9, 4})))
    assert "/institution/4" in admin and "/admin/metrics" not in admin
    platform = hrefs(person(is_platform_admin=True))
    assert {"/admin/metrics", "/admin/institutions", "/admin/health", "/manage"} <= set(platform)
    assert not any(h.startswith("/institution/") for h in platform)


def test_default_period_is_the_last_twelve_complete_months_without_the_one_in_progress() -> None:
    assert charts.default_period(date(2026, 11, 26)) == (date(2025, 11, 1), date(2026, 11, 1))
    assert charts.default_period(date(2026, 12, 31)) == (date(2025, 12, 1), date(2026, 12, 1))
    assert charts.default_period(date(2027, 1, 1)) == (date(2026, 1, 1), date(2027, 1, 1))


def test_a_month_in_progress_is_labelled_so_in_the_trend() -> None:
    today = date(2026, 12, 3)
    assert charts.month_in_progress(date(2026, 12, 1), today) is None
    key = charts.month_in_progress(date(2026, 12, 4), today)
    trend = charts.monthly_trend(
        [row("2026-11-01", 10, 0, None), row("2026-12-01", 2, 0, None)], NAMES, key
    )
    assert trend["data"]["labels"] == ["2026-11", f"2026-12 ({NAMES['in_progress']})"]


def test_chart_configs_are_plain_json_with_rates_in_percent() -> None:
    rows = [row(str(n), 100.0 - n, 50.0, 0.5) for n in range(20)]
    config = charts.hours_and_rate(rows, NAMES)
    assert json.loads(json.dumps(config)) == config
    assert len(config["data"]["labels"]) == charts.MAX_BARS
    rate = config["data"]["datasets"][2]
    assert rate["yAxisID"] == "y1" and rate["data"][0] == 50.0
    trend = charts.monthly_trend([row("2026-01", 10, 0, None)], NAMES)
    assert trend["data"]["labels"] == ["2026-01"] and trend["data"]["datasets"][3]["data"] == [None]


def test_heat_map_darkens_with_the_hours_and_totals_rows_and_columns() -> None:
    regions = [FlowRegionOut("220100", "长春"), FlowRegionOut("222400", "延边")]
    matrix = [FlowOut("220100", "220100", 90.0), FlowOut("222400", "220100", 10.0)]
    heat = charts.heat_map(regions, matrix)
    assert heat.cell("220100", "220100").dark and not heat.cell("222400", "220100").dark
    assert (
        heat.cell("222400", "222400").hours == 0
        and heat.cell("222400", "222400").colour == "#ffffff"
    )
    assert heat.row_totals == {"220100": 90.0, "222400": 10.0}
    assert heat.column_totals == {"220100": 100.0}
    assert charts.heat_map([], []).cells == {}


def test_best_and_worst_never_overlap_and_skip_unused_instruments() -> None:
    rows = [row("a", 10, 9, 0.9), row("b", 10, 1, 0.1), row("c", 0, 0, None),
            row("d", 10, 5, 0.5), row("e", 20, 10, 0.5)]  # fmt: skip
    best, worst = charts.ranked(rows, count=5)
    assert [r.key for r in best] == ["a", "e"]
    assert [r.key for r in worst] == ["b", "d"]
    many = [row(str(n), 10, n, n / 100) for n in range(1, 21)]
    best, worst = charts.ranked(many, count=5)
    assert [r.key for r in best] == ["20", "19", "18", "17", "16"]
    assert [r.key for r in worst] == ["1", "2", "3", "4", "5"]


def test_instruments_used_less_than_the_minimum_are_not_ranked() -> None:
    rows = [row("busy", 50, 5, 0.1), row("two-hours", 2, 2, 1.0), row("other", 40, 30, 0.75)]
    best, worst = charts.ranked(rows, count=5)
    assert [r.key for r in best + worst] == ["other", "busy"]
    assert all(r.effective_hours >= charts.MIN_RANKED_HOURS for r in best + worst)


def test_local_input_outside_the_utc_range_is_unreadable_not_an_error() -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    assert parse_local("0001-01-01T00:00", shanghai) is None
    assert parse_local("not a time", shanghai) is None
    assert parse_local("2026-12-01T09:00", shanghai) == datetime(2026, 12, 1, 1, tzinfo=UTC)
