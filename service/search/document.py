"""What an instrument is indexed under: one weighted `tsvector`, built in Python.

Weights say where a word was found, and the relevance order reads them back:
- A: the names (Chinese and English), the concepts they name (`=tem`), the concepts those
  belong to (`~em`), and the instrument's class and its parent classes (`=cat:0101`, `~cat:01`);
- B: model, manufacturer, and the words of the class names;
- C: technical specifications and functions, with the concepts they name;
- D: subject areas.
A concept named directly is `=key`; one reached through `broader` is `~key`, so an exact
match (`TEM` on a TEM) ranks above a broader one (`TEM` on a cryo-EM).

The vector is written as a `tsvector` literal (no text search configuration parses it), so the
tokens are exactly those `segment` made and nothing depends on the server's locale.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from service.search import segment
from service.search.dictionary import Dictionary, category_key

DIRECT, INHERITED = "=", "~"
#: Position per weight: a lexeme found in several places keeps one position per weight.
POSITIONS = {"A": 1, "B": 2, "C": 3, "D": 4}


@dataclass(frozen=True, slots=True)
class InstrumentText:
    """The fields of an instrument that search reads."""

    name_zh: str
    name_en: str
    model: str
    manufacturer: str
    specs: str
    functions: str
    subject_areas: Sequence[str]
    #: Class names from the instrument's own class up to the top-level class.
    categories: Sequence[tuple[str, str, str]]


def quote(lexeme: str) -> str:
    """A lexeme as a quoted `tsvector`/`tsquery` literal."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


class _Builder:
    def __init__(self) -> None:
        self.weights: dict[str, set[str]] = {}

    def add(self, lexemes: Iterable[str], weight: str) -> None:
        for lexeme in lexemes:
            self.weights.setdefault(lexeme, set()).add(weight)

    def concepts(self, dictionary: Dictionary, texts: Iterable[str], weight: str) -> None:
        direct: set[str] = set()
        for text in texts:
            direct |= dictionary.concepts_in(text)
        self.add((DIRECT + k for k in direct), weight)
        self.add((INHERITED + k for k in dictionary.closure(direct)), weight)

    def literal(self) -> str:
        return " ".join(
            quote(lexeme) + ":" + ",".join(f"{POSITIONS[w]}{w}" for w in sorted(weights))
            for lexeme, weights in sorted(self.weights.items())
        )


def build(text: InstrumentText, dictionary: Dictionary) -> str:
    """The `tsvector` literal of one instrument."""
    b = _Builder()
    names = (text.name_zh, text.name_en)
    for name in names:
        b.add(segment.bag(name), "A")
    b.concepts(dictionary, names, "A")
    if text.categories:
        own = category_key(text.categories[0][0])
        b.add([DIRECT + own], "A")
        b.add((INHERITED + category_key(code) for code, _, _ in text.categories[1:]), "A")
    for part in (text.model, text.manufacturer):
        b.add(segment.bag(part), "B")
    for _, zh, en in text.categories:
        b.add(segment.bag(zh) | segment.bag(en), "B")
    details = (text.specs, text.functions)
    for detail in details:
        b.add(segment.bag(detail), "C")
    b.concepts(dictionary, details, "C")
    for subject in text.subject_areas:
        b.add(segment.bag(subject), "D")
    return b.literal()


def vocabulary(text: InstrumentText) -> set[str]:
    """Latin words as written, for typo correction of queries."""
    words: set[str] = set()
    for part in (text.name_en, text.model, text.manufacturer, text.specs, text.functions):
        words |= segment.latin_words(part)
    for _, _, en in text.categories:
        words |= segment.latin_words(en)
    return words


def suggestion(name_zh: str, name_en: str, dictionary: Dictionary, code: str | None = None) -> str:
    """The small document of a suggestion (an instrument name or a class): its words and the
    concepts it names, all at weight A."""
    b = _Builder()
    for name in (name_zh, name_en):
        b.add(segment.bag(name), "A")
    b.concepts(dictionary, (name_zh, name_en), "A")
    # The other names of what it names, so `TE…` can offer 透射电子显微镜.
    for key in dictionary.concepts_in(name_zh) | dictionary.concepts_in(name_en):
        for term in dictionary.concepts[key].terms:
            b.add(segment.bag(term), "A")
    if code is not None:
        b.add([DIRECT + category_key(code)], "A")
    return b.literal()
