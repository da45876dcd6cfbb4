"""A query as text -> what to match and how to rank, as `tsquery` literals. Pure.

The query is cut like a document. Runs of tokens that spell a dictionary term become concept
units (`透射电镜` -> the concept `tem`: `=tem | ~tem`); class names also keep their own words
(`色谱` names a class but also appears in LC-MS names). Every other token is a word unit: a Han
word (or, for a longer one, all of its search-mode pieces), or a Latin word's stem, or one of
its typo corrections. An instrument matches when it matches every unit.

Rank tiers, best first (the catalogue orders by tier, then by name):
0. every unit matches in the names or class exactly (an abbreviation's own instruments);
1. every unit matches in the names or class, a concept possibly through a broader one;
2. every unit matches in names, class, model or manufacturer;
3. the rest (a unit found only in specifications, functions or subjects).
"""

from __future__ import annotations

from dataclasses import dataclass

from service.search import segment
from service.search.dictionary import Dictionary, is_category
from service.search.document import DIRECT, INHERITED, quote
from service.search.typos import Vocabulary

#: More units than this is a pasted text, not a search: refused with 422 naming the limit.
MAX_UNITS = 12


class TooManyTerms(ValueError):
    """The query has more than `MAX_UNITS` search terms."""


@dataclass(frozen=True, slots=True)
class Unit:
    concepts: frozenset[str] = frozenset()
    #: Alternatives, each a group of lexemes that must all be present.
    words: tuple[tuple[str, ...], ...] = ()
    #: A concept unit's own tokens as typed (suggestions also match them as prefixes).
    spelled: tuple[str, ...] = ()

    def expression(self, weights: str = "", exact: bool = False, prefix: bool = False) -> str:
        w = f":{weights}" if weights else ""
        words_w = w or (":*" if prefix else "")
        parts = [quote(DIRECT + k) + w for k in sorted(self.concepts)]
        if not exact:
            parts += [quote(INHERITED + k) + w for k in sorted(self.concepts)]
        groups = [*self.words, self.spelled] if prefix and self.spelled else self.words
        for group in groups:
            joined = " & ".join(quote(lexeme) + words_w for lexeme in group)
            parts.append(f"({joined})" if len(group) > 1 else joined)
        return "(" + " | ".join(parts) + ")"


@dataclass(frozen=True, slots=True)
class Plan:
    units: tuple[Unit, ...]

    @property
    def empty(self) -> bool:
        return not self.units

    def _all(self, weights: str = "", exact: bool = False) -> str:
        return " & ".join(u.expression(weights, exact) for u in self.units)

    @property
    def match(self) -> str:
        return self._all()

    @property
    def prefix_match(self) -> str:
        """`match` with the last unit's words also taken as prefixes (text still being typed)."""
        *done, last = self.units
        return " & ".join([*(u.expression() for u in done), last.expression(prefix=True)])

    @property
    def tiers(self) -> tuple[str, str, str]:
        """The `tsquery` of tiers 0, 1 and 2 (see the module docstring)."""
        return self._all("A", exact=True), self._all("A"), self._all("AB")


def _word(token: str, fixes: list[str]) -> Unit:
    if segment.is_han(token):
        pieces = segment.sub_words(token)
        groups = [(token,)] + ([tuple(dict.fromkeys(pieces))] if pieces else [])
        return Unit(words=tuple(groups))
    return Unit(words=tuple((w,) for w in dict.fromkeys([token, *fixes])))


def plan_query(text: str, dictionary: Dictionary, vocabulary: Vocabulary) -> Plan:
    """Units of `text`; raises `TooManyTerms` past `MAX_UNITS`.

    A misspelt Latin word is matched against the dictionary in its closest correction
    (`electorn microscope` is the concept electron microscope), and as a word unit it matches
    any of its corrections.
    """
    pairs = segment.surfaces(text)
    fixes = [[segment.stem(c) for c in vocabulary.corrections(s)] for s, _ in pairs]
    tokens = [f[0] if f else token for f, (_, token) in zip(fixes, pairs, strict=True)]
    units: list[Unit] = []
    position = 0
    for start, end, keys in [*dictionary.match(tokens), (len(tokens), len(tokens), frozenset())]:
        for index in range(position, start):
            units.append(_word(pairs[index][1], fixes[index]))
        if keys:
            span = tuple(tokens[start:end])
            words = (span,) if any(is_category(k) for k in keys) else ()
            units.append(Unit(concepts=keys, words=words, spelled=span))
        position = end
    unique = tuple(dict.fromkeys(units))
    if len(unique) > MAX_UNITS:
        raise TooManyTerms(f"a search may have at most {MAX_UNITS} terms")
    return Plan(unique)
