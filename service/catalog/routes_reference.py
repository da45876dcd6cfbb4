"""Public lists of the reference codes used by registry fields."""

from __future__ import annotations

from typing import Any

from litestar import get
from litestar.di import NamedDependency

from service.catalog.reference_lists import CodeOut, codes
from service.db import Database

TAGS = ["catalogue"]
DB = NamedDependency[Database]


@get("/api/v1/countries", operation_id="listCountries", tags=TAGS)
async def list_countries(db: DB) -> list[CodeOut]:
    """GB/T 2659 countries (ISO 3166-1 alpha-2 codes), the registry's `nation`."""
    return await codes(db, "country")


@get("/api/v1/disciplines", operation_id="listDisciplines", tags=TAGS)
async def list_disciplines(db: DB) -> list[CodeOut]:
    """GB/T 13745 first-level disciplines, the registry's `subject` (up to four)."""
    return await codes(db, "discipline")


@get("/api/v1/funding-sources", operation_id="listFundingSources", tags=TAGS)
async def list_funding_sources(db: DB) -> list[CodeOut]:
    """Funding-source codes A–P of the registry's service records (`subjectIncome`)."""
    return await codes(db, "funding_source")


ROUTES: list[Any] = [list_countries, list_disciplines, list_funding_sources]
