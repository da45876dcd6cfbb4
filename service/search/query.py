"""Turning the `q` of a request into a plan: the one way the catalogue, the free-time search
and the suggestions read a query."""

from __future__ import annotations

import asyncpg

from service.common.schemas import Violation
from service.errors import Unprocessable
from service.search import loader
from service.search.plan import Plan, TooManyTerms, plan_query


async def plan_for(conn: asyncpg.Connection, text: str) -> Plan:
    """The plan of `text` with the current dictionary and vocabulary; 422 past the term limit."""
    dictionary = await loader.current_dictionary(conn)
    vocabulary = await loader.vocabulary(conn)
    try:
        return plan_query(text, dictionary, vocabulary)
    except TooManyTerms as exc:
        raise Unprocessable(f"q: {exc}", extra={"violations": [Violation("q", str(exc))]}) from exc
