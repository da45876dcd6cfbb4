"""Instants from clients must be ISO 8601 strings with an offset: naive times and integer epochs
are refused with 422 problem details, in bodies and in query parameters alike."""

from __future__ import annotations

import httpx
import pytest

from service.db import Database
from tests.factories import make_institution, make_instrument, make_user

BAD_INSTANTS = [1900000000, 1900000000.5, "2030-01-07T09:00:00", "next tuesday", True, None]


@pytest.mark.parametrize("bad", BAD_INSTANTS)
async def test_booking_body_refuses_non_iso_instants(
    client: httpx.AsyncClient, db: Database, bad: object
) -> None:
    inst = await make_institution(db)
    user = await make_user(db, inst)
    instrument = await make_instrument(db, inst)
    body = {"instrument_id": instrument, "start": bad, "end": "2030-01-07T10:00:00+08:00"}
    response = await client.post("/api/v1/bookings", json=body, headers=user.headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    count = await db.fetchval("SELECT count(*) FROM booking WHERE instrument_id = $1", instrument)
    assert count == 0


@pytest.mark.parametrize("bad", ["1900000000", "2030-01-07T09:00:00", "2030-13-01T00:00:00Z"])
async def test_query_parameters_refuse_non_iso_instants(
    client: httpx.AsyncClient, db: Database, bad: str
) -> None:
    inst = await make_institution(db)
    instrument = await make_instrument(db, inst)
    response = await client.get(
        f"/api/v1/instruments/{instrument}/availability",
        params={"from": bad, "to": "2030-01-08T00:00:00+08:00"},
    )
    assert response.status_code == 422, response.text
    assert response.json()["status"] == 422


async def test_offsets_and_z_are_accepted(client: httpx.AsyncClient, db: Database) -> None:
    inst = await make_institution(db)
    instrument = await make_instrument(db, inst)
    for start in ("2030-01-07T00:00:00Z", "2030-01-07T08:00:00+08:00"):
        response = await client.get(
            f"/api/v1/instruments/{instrument}/availability",
            params={"from": start, "to": "2030-01-08T00:00:00+08:00"},
        )
        assert response.status_code == 200, response.text


async def test_schema_documents_instants_as_date_time_strings(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    booking_in = schema["components"]["schemas"]["BookingIn"]["properties"]["start"]
    assert booking_in["type"] == "string" and booking_in["format"] == "date-time"
