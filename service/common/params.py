"""The HTTP parameter types every route shares: one definition of an id, a page and a page
size, a window of instants or of local dates, and the codes that filter by region or class, so
limits, names and documentation agree across the API.

Use as `page: PageNumber = 1, page_size: PageSize = 20` (Litestar wants defaults on the
parameter, not inside `Annotated`).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar.params import PathParameter, QueryParameter

from service.common.pagination import MAX_PAGE_SIZE
from service.common.time import AwareDatetime

#: A row id in a path: a positive PostgreSQL bigint.
PathId = Annotated[int, PathParameter(ge=1, le=2**63 - 1)]
#: An optional row id in a query string (a filter).
QueryId = Annotated[int | None, QueryParameter(ge=1, le=2**63 - 1)]
PageNumber = Annotated[int, QueryParameter(ge=1, le=100_000, description="1-based page number")]
PageSize = Annotated[
    int,
    QueryParameter(ge=1, le=MAX_PAGE_SIZE, description=f"items per page, at most {MAX_PAGE_SIZE}"),
]

# A window of instants, `[from, to)`, each with its UTC offset; an instant without one is refused.
_INSTANT_FROM = "first instant (inclusive), with its UTC offset"
_INSTANT_TO = "instant after the last (exclusive), with its UTC offset"
InstantFrom = Annotated[AwareDatetime, QueryParameter(name="from", description=_INSTANT_FROM)]
InstantTo = Annotated[AwareDatetime, QueryParameter(name="to", description=_INSTANT_TO)]
OptionalInstantFrom = Annotated[
    AwareDatetime | None, QueryParameter(name="from", description=_INSTANT_FROM)
]
OptionalInstantTo = Annotated[
    AwareDatetime | None, QueryParameter(name="to", description=_INSTANT_TO)
]

# A window of local dates (the instrument's or the platform's zone), `[from, to)`.
_DATE_FROM = "first local date (inclusive)"
_DATE_TO = "local date after the last (exclusive)"
DateFrom = Annotated[date, QueryParameter(name="from", description=_DATE_FROM)]
DateTo = Annotated[date, QueryParameter(name="to", description=_DATE_TO)]
OptionalDateFrom = Annotated[date | None, QueryParameter(name="from", description=_DATE_FROM)]
OptionalDateTo = Annotated[date | None, QueryParameter(name="to", description=_DATE_TO)]

#: A region code filter (GB/T 2260 digits, or an admin's own code in capitals and digits).
RegionCode = Annotated[
    str | None, QueryParameter(pattern=r"^[0-9A-Z][0-9A-Z-]{1,15}$", description="region code")
]
#: A class filter: a 大类 (2 digits), 中类 (4) or 小类 (6) code; a class includes its sub-classes.
ClassCode = Annotated[
    str | None,
    QueryParameter(
        pattern=r"^[0-9]{2}([0-9]{2}([0-9]{2})?)?$", description="大类, 中类 or 小类 code"
    ),
]
