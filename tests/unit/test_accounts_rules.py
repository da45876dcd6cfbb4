"""Pure account rules: no database, no clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from service.accounts import rules

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=15)


@pytest.mark.parametrize(
    "email",
    ["a@b.cn", "first.last+tag@sub.example.org", "王@example.com", "x_y@jlu-edu.example.cn"],
)
def test_valid_emails(email: str) -> None:
    assert rules.email_violations(email) == []


@pytest.mark.parametrize(
    "email",
    [
        "",
        "plain",
        "a@b",
        "a@@b.cn",
        "a b@c.cn",
        "a@b..cn",
        "a@-b.cn",
        "a@b.c",
        "@b.cn",
        "a" * 65 + "@b.cn",
        "a@" + "b" * 250 + ".cn",
    ],
)
def test_invalid_emails(email: str) -> None:
    assert [v.rule for v in rules.email_violations(email)] == ["email"]


def test_normalise_email_trims_and_lowercases() -> None:
    assert rules.normalise_email("  Li.Wei@JLU.Edu.CN ") == "li.wei@jlu.edu.cn"


def test_password_rules() -> None:
    assert rules.password_violations("long enough pw", "a@b.cn") == []
    assert [v.rule for v in rules.password_violations("short", "a@b.cn")] == ["password"]
    same = rules.password_violations("Li.Wei@jlu.edu.cn", "li.wei@jlu.edu.cn")
    assert [v.message for v in same] == ["The password must not be the email address."]


def test_display_name_must_not_be_blank() -> None:
    assert rules.display_name_violations("   ")
    assert rules.display_name_violations("李伟") == []


def test_reminder_leads() -> None:
    assert rules.reminder_violations([]) == []
    assert rules.reminder_violations([5, 10080]) == []
    assert rules.reminder_violations([4])
    assert rules.reminder_violations([10081])
    assert rules.reminder_violations([5, 10, 15, 20, 25, 30])
    assert rules.reminder_violations([60, 60, 60, 60, 60, 60]) == []  # duplicates collapse
    assert rules.normalise_reminder_leads([60, 1440, 60]) == [1440, 60]


def test_failures_below_the_free_count_cost_nothing() -> None:
    failures = [NOW - timedelta(minutes=m) for m in (1, 2, 3, 4)]
    assert rules.delay_seconds(failures, NOW, 5, WINDOW) == 0


def test_delays_double_with_each_failure_past_the_free_ones() -> None:
    just_now = [NOW] * 4
    assert [rules.delay_seconds(just_now + [NOW] * k, NOW, 5, WINDOW) for k in range(1, 7)] == [
        30,
        60,
        120,
        240,
        480,
        900,  # capped at the window
    ]
    assert rules.delay_seconds([NOW] * 40, NOW, 5, WINDOW) == 900


def test_the_delay_counts_from_the_latest_failure() -> None:
    failures = [NOW - timedelta(minutes=m) for m in (10, 10, 10, 10, 0.25)]
    assert rules.delay_seconds(failures, NOW, 5, WINDOW) == 15


def test_failures_outside_the_window_are_forgotten() -> None:
    failures = [NOW - timedelta(minutes=m) for m in (1, 2, 3, 4, 15, 16, 30)]
    assert rules.delay_seconds(failures, NOW, 5, WINDOW) == 0
    # however many failures there were, nobody waits longer than the window
    assert rules.delay_seconds([NOW - WINDOW + timedelta(seconds=1)] * 30, NOW, 5, WINDOW) == 1


def test_client_address_comes_from_the_socket_unless_a_trusted_proxy_speaks() -> None:
    from service.accounts.client_address import parse_networks, resolve

    proxies = parse_networks(("10.0.0.0/8", "2001:db8::1"))
    assert resolve("203.0.113.9", "198.51.100.1", proxies) == "203.0.113.9"
    assert resolve("203.0.113.9", None, ()) == "203.0.113.9"
    assert resolve("10.1.2.3", "198.51.100.1", proxies) == "198.51.100.1"
    # a client's own X-Forwarded-For entries stand left of what the proxy appended
    assert resolve("10.1.2.3", "6.6.6.6, 198.51.100.1, 10.9.9.9", proxies) == "198.51.100.1"
    assert resolve("2001:db8::1", "2001:db8::7", proxies) == "2001:db8::7"
    assert resolve("10.1.2.3", "10.0.0.5, not-an-address", proxies) == "10.1.2.3"
