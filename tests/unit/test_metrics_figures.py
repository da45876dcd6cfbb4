"""The national formulas of `service.metrics.figures` and the scopes of `service.metrics.scope`,
without a database: each figure from hand-made sums, rounding, empty denominators, the
reference scaled to a period, and which instruments each role's figures may include."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from service.accounts.principal import Principal
from service.common.sql import Params
from service.errors import Forbidden
from service.metrics import figures
from service.metrics.figures import Extras, Sums, hours, make_row, ratio, reference
from service.metrics.periods import quota_hours, year_fraction
from service.metrics.scope import Filters, visible_where

H = 3600


def test_hours_are_decimal_hours_to_two_places() -> None:
    assert hours(0) == 0.0
    assert hours(5400) == 1.5
    assert hours(3599) == 1.0  # 0.9997 h
    assert hours(61) == 0.02  # 0.0169 h, not 0
    assert hours(1_599 * H) == 1599.0


def test_ratios_are_fractions_to_four_places_and_none_without_a_denominator() -> None:
    assert ratio(1, 3) == 0.3333
    assert ratio(2, 3) == 0.6667
    assert ratio(0, 5) == 0.0
    assert ratio(5, 0) is None and ratio(0, 0) is None


def test_sums_read_a_row_and_treat_missing_figures_as_zero() -> None:
    row = {f: None for f in Sums.__dataclass_fields__} | {"effective_s": 7200, "sessions": 3}
    assert Sums.of(row) == Sums(effective_s=7200, sessions=3)


def test_a_row_by_the_national_definitions() -> None:
    """Effective 10 h of which 4 h external (1 h across regions), 6 h internal; quota 1,400 h a
    year for one general instrument over a quarter of a year; 12 h booked; 1 no-show of 5
    bookings due."""
    s = Sums(
        effective_s=10 * H, external_s=4 * H, cross_region_s=1 * H, internal_s=6 * H,
        booked_s=12 * H, available_s=40 * H, sessions=6, bookings=5, cancellations=2,
        late_cancellations=1, no_shows=1,
    )  # fmt: skip
    quota = quota_hours(1, 0, 0.25, 1400, special_hours=800)
    row = make_row("7", "NMR", s, Extras(quota, 1, 2, 4.25, 4))
    assert (row.effective_hours, row.external_hours, row.internal_hours) == (10.0, 4.0, 6.0)
    assert row.cross_region_hours == 1.0
    assert row.sharing_rate == 0.4  # external ÷ effective
    assert row.quota_hours == 350.0
    assert row.utilisation == round(10 / 350, 4)  # effective ÷ quota
    assert row.booked_vs_used == 1.2  # booked ÷ effective
    assert row.no_show_rate == 0.2  # no-shows ÷ bookings due
    assert (row.bookings, row.no_shows, row.cancellations, row.late_cancellations) == (5, 1, 2, 1)
    assert (row.sessions, row.instruments, row.external_institutions) == (6, 1, 2)
    assert (row.satisfaction_avg, row.satisfaction_count) == (4.25, 4)
    assert row.available_hours == 40.0


def test_an_unused_instrument_has_no_rates_not_zero_rates() -> None:
    row = make_row("8", "idle", Sums(), Extras())
    assert row.sharing_rate is None and row.booked_vs_used is None and row.no_show_rate is None
    assert row.utilisation is None and row.satisfaction_avg is None
    row = make_row("9", "idle", Sums(), Extras(quota_hours=100.0, instruments=1))
    assert row.utilisation == 0.0


def test_quota_hours_per_instrument_type_and_share_of_the_year() -> None:
    assert quota_hours(2, 1, 1.0, 1400, special_hours=800) == 3600.0
    assert quota_hours(2, 1, 0.5, 1600, special_hours=1200) == 2200.0
    assert year_fraction(date(2025, 1, 1), date(2026, 1, 1)) == pytest.approx(1.0)
    assert year_fraction(date(2024, 2, 1), date(2024, 3, 1)) == pytest.approx(29 / 366)


def test_the_reference_scales_the_national_averages_to_the_period() -> None:
    totals = make_row(
        "total", "", Sums(effective_s=800 * H, external_s=200 * H), Extras(instruments=2)
    )
    ref = reference(totals, 0.5)
    assert ref.reference_year == 2025 and "2025" in ref.reference_source
    assert ref.reference_sharing_rate == round(273 / 1599, 4)
    assert ref.national_effective_hours_per_instrument_period == 799.5
    assert ref.national_external_hours_per_instrument_period == 136.5
    assert (ref.effective_hours_per_instrument, ref.external_hours_per_instrument) == (400.0, 100.0)
    assert ref.years_in_period == 0.5
    empty = reference(make_row("total", "", Sums(), Extras()), 0.0)
    assert empty.effective_hours_per_instrument is None
    assert empty.national_effective_hours_per_instrument_period == 0.0
    assert figures.NATIONAL_SHARING_RATE_YEAR == 2019  # kept apart from the reference year


def person(**roles: object) -> Principal:
    values: dict[str, object] = {
        "user_id": 1, "email": "a@example.org", "display_name": "a", "institution_id": 1,
        "region_code": "220100", "language": "zh-CN", "is_platform_admin": False,
        "admin_of": frozenset(), "manages": frozenset(),
    }  # fmt: skip
    return Principal(**{**values, **roles})  # type: ignore[arg-type]


def test_platform_admins_see_every_instrument() -> None:
    p = Params()
    assert visible_where(person(is_platform_admin=True), p, Filters()) == "true"
    assert p.args == []


@pytest.mark.parametrize(
    ("roles", "institutions", "instruments"),
    [
        ({"admin_of": frozenset({3, 1})}, [1, 3], []),
        ({"manages": frozenset({9})}, [], [9]),
        ({"evaluates": frozenset({4})}, [4], []),
        ({"admin_of": frozenset({1}), "manages": frozenset({9})}, [1], [9]),
    ],
)
def test_others_see_their_institutions_and_managed_instruments(
    roles: dict[str, object], institutions: list[int], instruments: list[int]
) -> None:
    p = Params()
    where = visible_where(person(**roles), p, Filters())
    assert where == "(i.institution_id = ANY($1::bigint[]) OR i.id = ANY($2::bigint[]))"
    assert p.args == [institutions, instruments]


def test_researchers_have_no_figures_of_others() -> None:
    with pytest.raises(Forbidden):
        visible_where(person(), Params(), Filters())


def test_filters_narrow_the_scope_they_never_widen_it() -> None:
    p = Params()
    where = visible_where(
        person(admin_of=frozenset({1})),
        p,
        Filters(
            institution=2,
            region="222400",
            category="01",
            value_min=Decimal(50),
            share_mode="external",
            type="general",
            value_below=Decimal(500),
        ),  # fmt: skip
    )
    # every filter is ANDed onto the role's own scope
    assert where.count(" AND ") == 7 and where.startswith("(i.institution_id = ANY($1")
    assert p.args[2:] == [2, "222400", "01%", Decimal(50), Decimal(500), "external", "general"]
