"""Search structs in and out (names unique across the API schema)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

ConceptKey = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9_.:-]{0,62}$")]
Term = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


class SearchSuggestionOut(msgspec.Struct):
    """An instrument name or a class the search box can offer."""

    kind: Literal["instrument", "category"]
    name_zh: str
    name_en: str
    #: the class code, for `kind` = `category`
    category_code: str | None
    #: instruments that carry this name or belong to this class
    instruments: int


class SynonymEntryIn(msgspec.Struct, forbid_unknown_fields=True):
    """Terms that name the concept `concept` (an existing one, or a new one)."""

    concept: ConceptKey
    terms: Annotated[list[Term], msgspec.Meta(min_length=1, max_length=50)]
    broader: Annotated[list[ConceptKey], msgspec.Meta(max_length=10)] = []
    note: Annotated[str, msgspec.Meta(max_length=500)] = ""


class SynonymEntryOut(msgspec.Struct):
    id: int
    concept: str
    terms: list[str]
    broader: list[str]
    note: str
    created_at: datetime


class SearchConceptOut(msgspec.Struct):
    key: str
    terms: list[str]
    broader: list[str]
    #: `shipped`, `category` or `custom` (custom when an admin entry adds to it)
    source: str


class SearchDictionaryOut(msgspec.Struct):
    """The effective dictionary, the admins' entries, and how far the index has caught up."""

    concepts: list[SearchConceptOut]
    entries: list[SynonymEntryOut]
    #: the dictionary the index is being built with
    version: str
    #: whether every index row is built with `version`
    up_to_date: bool
