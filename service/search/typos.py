"""Typo tolerance for Latin words: the closest known words within a small edit distance.

Only words of at least `MIN_LENGTH` letters are corrected, by at most one edit below
`TWO_EDITS_FROM` letters and two from there on (optimal string alignment distance, so a swap of
two neighbouring letters is one edit). Candidates come from the vocabulary of words seen in
indexed texts; a word the vocabulary knows is not corrected.
"""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import process
from rapidfuzz.distance import OSA

MIN_LENGTH = 5
TWO_EDITS_FROM = 8
MAX_CANDIDATES = 4


def max_edits(word: str) -> int:
    if len(word) < MIN_LENGTH or not word.isalpha():
        return 0
    return 1 if len(word) < TWO_EDITS_FROM else 2


class Vocabulary:
    """Known Latin words, bucketed by length so a lookup compares only plausible ones."""

    def __init__(self, words: Iterable[str] = ()) -> None:
        self.words: set[str] = set()
        self.by_length: dict[int, list[str]] = {}
        self.add(words)

    def add(self, words: Iterable[str]) -> None:
        for word in words:
            if word not in self.words:
                self.words.add(word)
                self.by_length.setdefault(len(word), []).append(word)

    def __contains__(self, word: object) -> bool:
        return word in self.words

    def corrections(self, word: str) -> list[str]:
        """Known words within the allowed distance, closest first; [] for a known word."""
        edits = max_edits(word)
        if edits == 0 or word in self.words:
            return []
        choices = [
            w
            for n in range(len(word) - edits, len(word) + edits + 1)
            for w in self.by_length.get(n, ())
        ]
        found = process.extract(
            word, choices, scorer=OSA.distance, score_cutoff=edits, limit=MAX_CANDIDATES
        )
        return [choice for choice, _, _ in sorted(found, key=lambda f: (f[1], f[0]))]
