"""The synonym and abbreviation dictionary: concepts, their terms, and which concepts a run of
tokens names.

A concept is a kind of instrument (`tem`: transmission electron microscope) with every way
people write it (`透射电镜`, `透射电子显微镜`, `TEM`, `transmission electron microscope`) and
the broader concepts it belongs to (`em`). Three sources are merged by key: the file shipped
with the product (`data/synonyms.toml`), the entries platform admins add (table
`search_synonym`), and the national classification (table `category`: every class is a concept
`cat:<code>` named by its Chinese and English names, broader = its parent class).

Pure: no I/O here besides reading the shipped file once.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from service.search import segment

SHIPPED = Path(__file__).parent / "data" / "synonyms.toml"
CATEGORY_PREFIX = "cat:"
#: Longest term, in tokens, that the matcher looks for.
MAX_TERM_TOKENS = 8
_STRICT = re.compile(r"^[A-Z]{2,3}$")


@dataclass(frozen=True, slots=True)
class Concept:
    key: str
    terms: tuple[str, ...]
    broader: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CategoryName:
    code: str
    parent: str | None
    name_zh: str
    name_en: str


def category_key(code: str) -> str:
    return CATEGORY_PREFIX + code


def is_category(key: str) -> bool:
    return key.startswith(CATEGORY_PREFIX)


@cache
def shipped() -> tuple[Concept, ...]:
    """The concepts that ship with the product."""
    with SHIPPED.open("rb") as source:
        data = tomllib.load(source)
    return tuple(
        Concept(c["key"], tuple(c["terms"]), tuple(c.get("broader", ()))) for c in data["concept"]
    )


def category_concepts(categories: Iterable[CategoryName]) -> list[Concept]:
    return [
        Concept(
            category_key(c.code),
            (c.name_zh, c.name_en),
            (category_key(c.parent),) if c.parent else (),
        )
        for c in categories
    ]


def merge(*sources: Iterable[Concept]) -> dict[str, Concept]:
    """Concepts by key; terms and broader keys of the same key from several sources add up."""
    merged: dict[str, Concept] = {}
    for source in sources:
        for c in source:
            old = merged.get(c.key)
            if old is None:
                merged[c.key] = c
            else:
                terms = tuple(dict.fromkeys(old.terms + c.terms))
                broader = tuple(dict.fromkeys(old.broader + c.broader))
                merged[c.key] = Concept(c.key, terms, broader)
    return merged


def term_forms(term: str) -> list[tuple[str, ...]]:
    """The token sequences a term is recognised as: its own, and for a Latin compound also the
    joined form (`LC-MS` is also `lcms`), so either spelling in a text or a query finds it."""
    forms = [tuple(segment.sequence(term))]
    for parts in segment.compounds(term):
        if len(parts) > 1 and len(segment.compounds(term)) == 1 and forms[0] == tuple(parts):
            forms.append(("".join(parts),))
    return [f for f in forms if f]


@dataclass(slots=True)
class Dictionary:
    """Concepts with a token-sequence index for matching; built once per dictionary version."""

    concepts: dict[str, Concept]
    #: Names the dictionary an index row was built with (see `loader.dictionary_id`).
    version: str = ""
    index: dict[tuple[str, ...], frozenset[str]] = field(default_factory=dict)
    ancestors: dict[str, frozenset[str]] = field(default_factory=dict)
    #: One-token terms that are short capitalised abbreviations only (`ms`, `ct`, `gc`).
    strict: frozenset[str] = frozenset()

    @classmethod
    def build(cls, concepts: dict[str, Concept], version: str = "") -> Dictionary:
        words = {run for c in concepts.values() for t in c.terms for run in segment.han_runs(t)}
        segment.segmenter(words)
        index: dict[tuple[str, ...], set[str]] = {}
        strict: set[tuple[str, ...]] = set()
        loose: set[tuple[str, ...]] = set()
        for concept in concepts.values():
            for term in concept.terms:
                for form in term_forms(term):
                    if len(form) <= MAX_TERM_TOKENS:
                        index.setdefault(form, set()).add(concept.key)
                        (strict if _STRICT.match(term) else loose).add(form)
        frozen = {k: frozenset(v) for k, v in index.items()}
        ancestors = {k: _ancestors(k, concepts) for k in concepts}
        strict_words = frozenset(f[0] for f in strict - loose if len(f) == 1)
        return cls(concepts, version, frozen, ancestors, strict_words)

    def match(
        self, tokens: Sequence[str], capitals: set[str] | None = None
    ) -> list[tuple[int, int, frozenset[str]]]:
        """Greedy longest matches `(start, end, concept keys)` over a token sequence; a term
        inside a longer matched term is not matched again (`液相色谱-质谱联用仪` is LC-MS, not
        also liquid chromatography: the hierarchy says what LC-MS belongs to).

        With `capitals` (a document's capitalised words), a short abbreviation matches only
        where the document wrote it in capitals; queries pass None (people type lower case).
        """
        found: list[tuple[int, int, frozenset[str]]] = []
        i, n = 0, len(tokens)
        while i < n:
            for length in range(min(MAX_TERM_TOKENS, n - i), 0, -1):
                keys = self.index.get(tuple(tokens[i : i + length]))
                if self._unwritten_abbreviation(tokens[i], length, capitals):
                    keys = None
                if keys:
                    found.append((i, i + length, keys))
                    i += length
                    break
            else:
                i += 1
        return found

    def _unwritten_abbreviation(self, token: str, length: int, capitals: set[str] | None) -> bool:
        return (
            length == 1 and capitals is not None and token in self.strict and token not in capitals
        )

    def concepts_in(self, text: str) -> set[str]:
        """Keys of the concepts a text names directly."""
        keys: set[str] = set()
        for _, _, matched in self.match(segment.sequence(text), segment.capitalised(text)):
            keys |= matched
        return keys

    def closure(self, keys: Iterable[str]) -> set[str]:
        """Every broader concept of `keys` (not the keys themselves)."""
        out: set[str] = set()
        for key in keys:
            out |= self.ancestors.get(key, frozenset())
        return out


def _ancestors(key: str, concepts: dict[str, Concept]) -> frozenset[str]:
    seen: set[str] = set()
    todo = list(concepts[key].broader) if key in concepts else []
    while todo:
        k = todo.pop()
        if k in seen or k == key:
            continue
        seen.add(k)
        todo.extend(concepts[k].broader if k in concepts else ())
    return frozenset(seen)
