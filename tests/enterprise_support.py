"""Fresh, valid 统一社会信用代码 for tests (the database refuses a code twice)."""

from __future__ import annotations

import itertools
import uuid

from service.enterprises.rules import ALPHABET, check_character

_serial = itertools.count()


def next_code() -> str:
    """A valid code unique to this test run: a random body with the right check character."""
    seed = uuid.uuid4().int + next(_serial)
    body = "9122"
    for _ in range(13):
        seed, digit = divmod(seed, 31)
        body += ALPHABET[digit]
    return body + check_character(body)
