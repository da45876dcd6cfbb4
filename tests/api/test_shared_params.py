"""The query parameters every route shares (`service/common/params.py`) are checked alike
wherever they appear: a malformed region or class code, a date that is not a date and an instant
without its offset are refused with problem details naming the parameter, before any query."""

from __future__ import annotations

import httpx
import pytest

from service.db import Database
from tests.factories import make_institution, make_instrument, make_user

BAD = {
    "region": ["lower-case", "A", "2201 00", "x" * 17],
    "category": ["1", "123", "12345", "ab", "0101011"],
}


@pytest.mark.parametrize("path", ["/api/v1/instruments", "/api/v1/institutions"])
@pytest.mark.parametrize("bad", BAD["region"])
async def test_a_malformed_region_code_is_refused_wherever_it_filters(
    client: httpx.AsyncClient, path: str, bad: str
) -> None:
    response = await client.get(path, params={"region": bad})
    _refused(response, "region")


@pytest.mark.parametrize("bad", BAD["category"])
async def test_a_malformed_class_code_is_refused_in_the_catalogue(
    client: httpx.AsyncClient, bad: str
) -> None:
    _refused(await client.get("/api/v1/instruments", params={"category": bad}), "category")


@pytest.mark.parametrize(("name", "good"), [("region", "220100"), ("category", "0106")])
async def test_well_formed_codes_filter_the_catalogue(
    client: httpx.AsyncClient, name: str, good: str
) -> None:
    response = await client.get("/api/v1/instruments", params={name: good})
    assert response.status_code == 200, response.text


async def test_optional_instants_need_their_offset_in_the_booking_and_block_lists(
    client: httpx.AsyncClient, db: Database
) -> None:
    inst = await make_institution(db)
    instrument = await make_instrument(db, inst)
    manager = await make_user(db, inst, manages=[instrument])
    for path in ("/api/v1/bookings", f"/api/v1/instruments/{instrument}/blocks"):
        for name in ("from", "to"):
            response = await client.get(
                path, params={name: "2030-01-07T09:00:00"}, headers=manager.headers
            )
            _refused(response, name)
        response = await client.get(
            path, params={"from": "2030-01-07T09:00:00+08:00"}, headers=manager.headers
        )
        assert response.status_code == 200, (path, response.text)


@pytest.mark.parametrize("bad", ["2030-02-30", "yesterday", "2030-01-07T00:00:00Z"])
async def test_dates_are_calendar_dates_in_the_figures_and_registry_exports(
    client: httpx.AsyncClient, db: Database, bad: str
) -> None:
    inst = await make_institution(db)
    admin = await make_user(db, inst, platform_admin=True)
    for path in ("/api/v1/metrics/sharing", "/api/v1/registry/service-records"):
        params = {"from": bad, "to": "2030-03-01"}
        _refused(await client.get(path, params=params, headers=admin.headers), "from")


def _refused(response: httpx.Response, parameter: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert parameter in response.text, response.text
