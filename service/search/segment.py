"""Text to search tokens: Chinese word segmentation, Latin words, English stemming.

Pure apart from the segmenter itself, which is loaded once per process (lazily, under a lock:
building jieba's prefix dictionary costs about a third of a second) with the instrument terms
of the dictionary added as words, so `透射电镜` or `液质` stay whole.

Text is split into script runs first: runs of Han characters go to jieba (precise mode, no
HMM, so an unknown sequence falls apart the same way in a document and in a query), everything
else to a small Latin tokenizer. Two outputs:
- `sequence(text)`: tokens in order (Latin words stemmed), for dictionary-term matching;
- `bag(text)`: what a document is indexed under: the sequence plus jieba's search-mode
  sub-words (`质谱仪` also as `质谱`, with and without the added terms), the joined form of compounds (`LC-MS` also as `lcms`)
  and the parts of letter-digit words (`600MHz` also as `600`, `mhz`).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator

import rjieba
import Stemmer

#: Han ideographs (basic block and extension A) and the compatibility block.
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_LATIN = "a-z0-9\u03b1-\u03c9"
_RUNS = re.compile(f"([{_HAN}]+)|([{_LATIN}]+(?:[-_./+][{_LATIN}]+)*)")
#: Abbreviations written in capitals (`MS`, `CT`), told apart from units (`ms`) in documents.
_CAPITALS = re.compile(r"(?<![A-Za-z])[A-Z]{2,3}(?![a-z])")
_SEPARATORS = re.compile(r"[-_./+]")
_LETTER_DIGIT = re.compile(r"[a-z]+|[0-9]+")
_HAN_RUN = re.compile(f"^[{_HAN}]+$")

#: Words that carry no meaning in a query or a document (both sides drop them).
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "at",
        "by",
        "for",
        "from",
        "in",
        "into",
        "of",
        "on",
        "or",
        "the",
        "to",
        "with",
        "的",
        "和",
        "与",
        "及",
        "或",
        "等",
        "用",
        "对",
    ]
)

_lock = threading.Lock()
_jieba: rjieba.Jieba | None = None
_words: frozenset[str] = frozenset()
_stemmer = Stemmer.Stemmer("english")


def normalize(text: str) -> str:
    """NFKC (full-width letters and digits become ASCII) and lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def is_han(token: str) -> bool:
    return bool(_HAN_RUN.match(token))


def segmenter(words: Iterable[str] = ()) -> rjieba.Jieba:
    """The process's jieba, built on first use; `words` are added to its dictionary.

    Adding words changes how later text is cut, so callers pass the dictionary's Han terms
    every time; a word already added is skipped (adding is cheap, rebuilding is not).
    """
    global _jieba, _words
    wanted = frozenset(w for w in words if is_han(w))
    if _jieba is not None and wanted <= _words:
        return _jieba
    with _lock:
        if _jieba is None:
            _jieba = rjieba.Jieba()
        for word in sorted(wanted - _words):
            _jieba.add_word(word, None, None)
        _words = _words | wanted
        return _jieba


#: Shorter words are left as written: they are mostly abbreviations (`EDS`, `AAS`, `PPMS`).
MIN_STEM_LENGTH = 5


def stem(word: str) -> str:
    """English stem of an alphabetic word; abbreviations and other tokens stay as they are."""
    if len(word) < MIN_STEM_LENGTH or not (word.isalpha() and word.isascii()):
        return word
    return str(_stemmer.stemWord(word))


def _latin_parts(compound: str) -> list[str]:
    return [p for p in _SEPARATORS.split(compound) if p]


def _runs(text: str) -> Iterator[tuple[bool, str]]:
    for match in _RUNS.finditer(normalize(text)):
        han, latin = match.groups()
        yield (True, han) if han else (False, latin)


def surfaces(text: str) -> list[tuple[str, str]]:
    """`(as written, token)` pairs in reading order: jieba words for Han runs, stemmed parts
    for Latin compounds (the written form is what typo correction compares)."""
    cut = segmenter().cut
    pairs: list[tuple[str, str]] = []
    for han, run in _runs(text):
        if han:
            pairs.extend((t, t) for t in cut(run, False) if t not in STOPWORDS)
        else:
            pairs.extend((p, stem(p)) for p in _latin_parts(run) if p not in STOPWORDS)
    return pairs


def sequence(text: str) -> list[str]:
    """Tokens in reading order (see `surfaces`)."""
    return [token for _, token in surfaces(text)]


def compounds(text: str) -> list[list[str]]:
    """Each Latin compound of the text as its stemmed parts (`LC-MS` -> `[lc, ms]`)."""
    return [[stem(p) for p in _latin_parts(run)] for han, run in _runs(text) if not han]


def _latin_bag(run: str) -> set[str]:
    parts = _latin_parts(run)
    found = {stem(p) for p in parts if p not in STOPWORDS}
    if len(parts) > 1:
        found.add("".join(parts))
    for part in parts:
        pieces = _LETTER_DIGIT.findall(part)
        if len(pieces) > 1:
            found.update(stem(p) for p in pieces)
    return found


def bag(text: str) -> set[str]:
    """Every token a document containing `text` should be found by."""
    search = segmenter().cut_for_search
    found: set[str] = set()
    for han, run in _runs(text):
        if han:
            # The plain dictionary's pieces too: a long instrument term added as one word
            # (`场发射扫描电子显微镜`) must still be found by its parts (`场`, `发射`).
            for cut in (search(run, False), rjieba.cut_for_search(run, False)):
                found.update(t for t in cut if t not in STOPWORDS)
        else:
            found |= _latin_bag(run)
    return found


def latin_words(text: str) -> set[str]:
    """Alphabetic words as written (lower case, unstemmed): the typo-correction vocabulary."""
    return {
        p
        for han, run in _runs(text)
        if not han
        for p in _LETTER_DIGIT.findall(run)
        if p.isalpha() and len(p) >= 3
    }


def sub_words(token: str) -> list[str]:
    """jieba's search-mode pieces of a Han word, without the word itself (`质谱仪` -> `质谱`)."""
    if not is_han(token) or len(token) < 3:
        return []
    return [t for t in segmenter().cut_for_search(token, False) if t != token]


def capitalised(text: str) -> set[str]:
    """Short words written in capitals in `text`, lower-cased (`10 ms` has none, `LC-MS` `ms`)."""
    return {w.lower() for w in _CAPITALS.findall(unicodedata.normalize("NFKC", text))}


def han_runs(text: str) -> list[str]:
    """The runs of Han characters in a text (what jieba sees of it)."""
    return [run for han, run in _runs(text) if han]
