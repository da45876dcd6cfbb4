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


def test_lockout_allows_below_the_limit() -> None:
    failures = [NOW - timedelta(minutes=m) for m in (1, 2, 3, 4)]
    assert rules.lockout_seconds(failures, NOW, 5, WINDOW) == 0


def test_lockout_blocks_at_the_limit_until_the_fifth_newest_expires() -> None:
    failures = [NOW - timedelta(minutes=m) for m in (1, 2, 3, 4, 10, 14)]
    # the 5th newest failure is 10 min old: the block lifts in 5 minutes
    assert rules.lockout_seconds(failures, NOW, 5, WINDOW) == 300


def test_lockout_ignores_failures_outside_the_window() -> None:
    failures = [NOW - timedelta(minutes=m) for m in (1, 2, 3, 4, 15, 16, 30)]
    assert rules.lockout_seconds(failures, NOW, 5, WINDOW) == 0


def test_lockout_never_reports_zero_while_blocked() -> None:
    failures = [NOW - WINDOW + timedelta(milliseconds=1)] * 5
    assert rules.lockout_seconds(failures, NOW, 5, WINDOW) == 1
