"""The sort and filter keys that a search reads beside the document (`instrument_search`) follow
every write of an instrument at once, whoever writes, so a search filters, ranks and pages on
that table alone and still answers what the instruments say now."""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from typing import Any

import httpx

from service.db import Database
from service.search import index
from tests.availability_support import (
    add_booking,
    make_place,
    new_instrument,
    set_hours,
    utc,
    weekdays,
)
from tests.factories import make_institution, make_instrument, unique

URL = "/api/v1/instruments"


def _token() -> str:
    return unique("key").replace("-", "")


async def _search(client: httpx.AsyncClient, q: str, **params: Any) -> dict[str, Any]:
    response = await client.get(URL, params={"q": q, "page_size": 100, **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _ids(body: dict[str, Any]) -> list[int]:
    return [item["id"] for item in body["items"]]


async def test_plain_sql_changes_apply_to_the_next_search(
    client: httpx.AsyncClient, db: Database
) -> None:
    token = _token()
    home = await make_institution(db, region="220100")
    away = await make_institution(db, region="220200")
    a = await make_instrument(db, home, name_zh=f"B 质谱仪 {token}", value=Decimal("10"))
    b = await make_instrument(db, home, name_zh=f"A 质谱仪 {token}", value=Decimal("20"))
    assert _ids(await _search(client, token, sort="value")) == [a, b]

    # No reindexing in between: none of these columns is in the document.
    await db.execute(
        """UPDATE instrument SET original_value = 30, share_mode = 'internal',
                  status = 'standby', institution_id = $2, instrument_type = 'special'
           WHERE id = $1""",
        a,
        away,
    )
    assert _ids(await _search(client, token, sort="value")) == [b, a]
    assert _ids(await _search(client, token, share_mode="internal")) == [a]
    assert _ids(await _search(client, token, status="standby")) == [a]
    assert _ids(await _search(client, token, type="special")) == [a]
    assert _ids(await _search(client, token, region="220200")) == [a]
    assert _ids(await _search(client, token, institution=str(away))) == [a]
    assert _ids(await _search(client, token, value_min="25")) == [a]

    await db.execute("UPDATE instrument SET retired_at = now() WHERE id = $1", b)
    body = await _search(client, token)
    assert _ids(body) == [a] and body["total"] == 1
    everything = await _search(client, token, include_retired="true", sort="name")
    assert _ids(everything) == [b, a] and [i["retired"] for i in everything["items"]] == [
        True,
        False,
    ]
    # The name is also a sort key: renaming reorders at once (the words follow at reindexing).
    await db.execute("UPDATE instrument SET name_zh = $1 WHERE id = $2", f"C 质谱仪 {token}", b)
    assert _ids(await _search(client, token, include_retired="true", sort="name")) == [a, b]


async def test_a_new_instrument_has_its_keys_before_its_document(db: Database) -> None:
    inst = await make_institution(db)
    new_id = await db.fetchval(
        """INSERT INTO instrument (institution_id, name_zh, category_code, original_value,
                                   share_mode)
           VALUES ($1, $2, '0103', 12.5, 'none') RETURNING id""",
        inst,
        f"X射线衍射仪 {_token()}",
    )
    row = await db.fetchrow(
        "SELECT document, retired, share_mode, original_value, institution_id "
        "FROM instrument_search WHERE instrument_id = $1",
        new_id,
    )
    assert row is not None and row["document"] == ""
    assert (row["retired"], row["share_mode"], row["original_value"], row["institution_id"]) == (
        False,
        "none",
        Decimal("12.50"),
        inst,
    )


async def test_indexing_recreates_a_row_deleted_by_hand(
    client: httpx.AsyncClient, db: Database
) -> None:
    token = _token()
    inst = await make_institution(db)
    tem = await make_instrument(db, inst, category="0101", name_zh=f"透射电子显微镜 {token}")
    await db.execute("DELETE FROM instrument_search WHERE instrument_id = $1", tem)
    assert _ids(await _search(client, f"TEM {token}")) == []
    async with db.transaction() as conn:
        assert await index.index_instruments(conn, [tem]) == 1
    assert _ids(await _search(client, f"TEM {token}")) == [tem]
    row = await db.fetchrow(
        "SELECT name_zh, category_code FROM instrument_search WHERE instrument_id = $1", tem
    )
    assert row is not None and tuple(row) == (f"透射电子显微镜 {token}", "0101")


async def test_pages_and_totals_of_a_search(client: httpx.AsyncClient, db: Database) -> None:
    token = _token()
    inst = await make_institution(db)
    ids = [
        await make_instrument(db, inst, name_zh=f"质谱仪 {n:02d} {token}", category="0102")
        for n in range(5)
    ]
    pages = [
        (await client.get(URL, params={"q": token, "page_size": 2, "page": n})).json()
        for n in (1, 2, 3, 4)
    ]
    assert [p["total"] for p in pages] == [5, 5, 5, 5]
    assert [_ids(p) for p in pages] == [ids[0:2], ids[2:4], ids[4:5], []]


async def test_the_free_time_search_ranks_checks_and_counts_the_matches(
    client: httpx.AsyncClient, db: Database
) -> None:
    """Matches in the best tier first, then the region order; booked, closed, retired (by plain
    SQL, no reindexing), unshared and broken instruments are left out; the total counts the
    free ones on every page, also past the last."""
    token = _token()
    cc, jl = await make_place(db, "220100"), await make_place(db, "220200")
    names = {
        "tem_far": (jl, f"透射电子显微镜 {token}"),
        "tem_home": (cc, f"透射电子显微镜 {token}"),
        "cryo_home": (cc, f"冷冻透射电子显微镜 {token}"),
        "specs_home": (cc, f"样品制备台 {token}"),
        "booked": (cc, f"透射电子显微镜 {token}"),
        "closed": (cc, f"透射电子显微镜 {token}"),
        "retired": (cc, f"透射电子显微镜 {token}"),
        "internal": (cc, f"透射电子显微镜 {token}"),
        "broken": (cc, f"透射电子显微镜 {token}"),
    }
    ids = {
        key: await new_instrument(db, place, category="0101", name_zh=name)
        for key, (place, name) in names.items()
    }
    await db.execute("UPDATE instrument SET specs = 'TEM grid' WHERE id = $1", ids["specs_home"])
    await index.refresh(db)
    start, end = utc(2032, 5, 10, 2), utc(2032, 5, 10, 4)
    await add_booking(db, cc, ids["booked"], start, end)
    await set_hours(db, ids["closed"], weekdays(time(13), time(17)))
    await db.execute("UPDATE instrument SET retired_at = now() WHERE id = $1", ids["retired"])
    await db.execute("UPDATE instrument SET share_mode = 'internal' WHERE id = $1", ids["internal"])
    await db.execute(
        "UPDATE instrument SET status = 'awaiting_repair' WHERE id = $1", ids["broken"]
    )
    window = {"start": start.isoformat(), "end": end.isoformat(), "region": "220100"}
    url = "/api/v1/availability/search"

    async def page(n: int) -> dict[str, Any]:
        params: dict[str, Any] = {"q": f"TEM {token}", "page_size": 2, "page": n, **window}
        response = await client.get(url, params=params)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    pages = [await page(n) for n in (1, 2, 3)]
    assert [p["total"] for p in pages] == [4, 4, 4]
    # exact TEMs (home region first), then the cryo-TEM (a TEM by its broader concept), then
    # the instrument that mentions TEM in its specifications only
    assert [_ids(p) for p in pages] == [
        [ids["tem_home"], ids["tem_far"]],
        [ids["cryo_home"], ids["specs_home"]],
        [],
    ]
