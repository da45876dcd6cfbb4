"""The GB 32100-2015 check character of the 统一社会信用代码, in Python and in the database."""

from __future__ import annotations

import pytest

from service.db import Database
from service.enterprises.rules import check_character, credit_code_violations

VALID = ["91110000600037341L", "91350100M00010000P", "91220101MA0Y3XKM44"]


def test_known_codes_check_out() -> None:
    for code in VALID:
        assert check_character(code[:17]) == code[17]
        assert credit_code_violations(code) == []


@pytest.mark.parametrize(
    "code", ["91110000600037341A", "9111000060003734IL", "91110000600037341", "91110000600037341LX"]
)
def test_wrong_codes_name_the_field(code: str) -> None:
    (violation,) = credit_code_violations(code)
    assert violation.rule == "credit_code"


async def test_the_database_agrees(db: Database) -> None:
    for code in VALID:
        assert await db.fetchval("SELECT uscc_is_valid($1)", code)
    for code in ["91110000600037341A", "91110000600037341", "911100006000373410"]:
        assert not await db.fetchval("SELECT uscc_is_valid($1)", code)
