"""The registry's Chinese words are keyed by the platform's codes: one code list
(`service.common.codes`), and every code of it has exactly one word in the registry's files."""

from __future__ import annotations

import pytest

from service.common import codes
from service.registry import vocab


@pytest.mark.parametrize(
    ("words", "code_list"),
    [
        (vocab.STATUS, codes.INSTRUMENT_STATUSES),
        (vocab.SHARE_MODE, codes.SHARE_MODES),
        (vocab.SERVICE_WAY, codes.SERVICE_WAYS),
        (vocab.INSTITUTION_KIND, codes.INSTITUTION_KINDS),
    ],
)
def test_every_code_of_a_list_has_exactly_one_registry_word(
    words: dict[str, str], code_list: tuple[str, ...]
) -> None:
    assert sorted(words) == sorted(code_list)
    assert len(set(words.values())) == len(words)
