"""Maintenance blocks: displacement needs an explicit choice, and the displaced are told."""

from __future__ import annotations

import httpx

from service.db import Database
from tests.bookings_support import OVERLAPS, book, future_day, local, make_world, outbox


def block(start: object, end: object, on_conflict: str = "fail") -> dict[str, object]:
    return {
        "start": start.isoformat(),  # type: ignore[attr-defined]
        "end": end.isoformat(),  # type: ignore[attr-defined]
        "reason": "vacuum pump service",
        "on_conflict": on_conflict,
    }


async def test_block_fail_lists_displaced_and_writes_nothing(
    client: httpx.AsyncClient, db: Database
) -> None:
    w = await make_world(db, buffer_minutes=30)
    day = future_day(9)
    early = (await book(client, w.insider, w.instrument, local(day, 8), local(day, 9))).json()
    late = (await book(client, w.outsider, w.instrument, local(day, 11), local(day, 12))).json()
    url = f"/api/v1/instruments/{w.instrument}/blocks"
    preview = await client.post(
        f"{url}/preview", json=block(local(day, 9), local(day, 11, 30)), headers=w.manager.headers
    )
    assert preview.status_code == 200
    assert [d["id"] for d in preview.json()["displaced"]] == [early["id"], late["id"]]
    dry = await client.post(
        f"{url}?dry_run=true",
        json=block(local(day, 9), local(day, 11, 30)),
        headers=w.manager.headers,
    )
    assert dry.status_code == 200 and dry.json() == preview.json()
    refused = await client.post(
        url, json=block(local(day, 9), local(day, 11, 30)), headers=w.manager.headers
    )
    assert refused.status_code == 409
    assert {d["id"] for d in refused.json()["displaced"]} == {early["id"], late["id"]}
    count = await db.fetchval(
        "SELECT count(*) FROM booking WHERE instrument_id = $1 AND kind = 'maintenance'",
        w.instrument,
    )
    assert count == 0
    # Researchers cannot place blocks.
    assert (
        await client.post(
            url, json=block(local(day, 14), local(day, 15)), headers=w.insider.headers
        )
    ).status_code == 403


async def test_block_cancel_displaces_and_tells(client: httpx.AsyncClient, db: Database) -> None:
    w = await make_world(db)
    day = future_day(9)
    victim = (await book(client, w.outsider, w.instrument, local(day, 10), local(day, 11))).json()
    untouched = (await book(client, w.insider, w.instrument, local(day, 12), local(day, 13))).json()
    url = f"/api/v1/instruments/{w.instrument}/blocks"
    placed = await client.post(
        url, json=block(local(day, 9), local(day, 12), "cancel"), headers=w.admin.headers
    )
    assert placed.status_code == 201, placed.text
    created = placed.json()
    assert [d["id"] for d in created["displaced"]] == [victim["id"]]
    status = dict(
        await db.fetch(
            "SELECT id, status FROM booking WHERE id = ANY($1::bigint[])",
            [victim["id"], untouched["id"]],
        )
    )
    assert status == {victim["id"]: "cancelled", untouched["id"]: "confirmed"}
    notice = await db.fetchrow(
        "SELECT kind, user_id, payload FROM notification_outbox WHERE booking_id = $1 AND kind = 'booking_displaced'",
        victim["id"],
    )
    assert notice is not None
    assert notice["user_id"] == w.outsider.id
    assert notice["payload"]["reason"] == "vacuum pump service"
    assert (
        "slots" in notice["payload"]["alternatives"]
        and "instruments" in notice["payload"]["alternatives"]
    )
    assert ("booking_displaced", w.outsider.id) in await outbox(db, victim["id"])
    # The block itself is busy time now; bookings inside it are refused.
    assert (
        await book(client, w.insider, w.instrument, local(day, 10), local(day, 11))
    ).status_code == 409
    overlapping_block = await client.post(
        url, json=block(local(day, 11), local(day, 11, 30), "cancel"), headers=w.admin.headers
    )
    assert overlapping_block.status_code == 409
    listed = await client.get(url, headers=w.insider.headers)
    assert [b["id"] for b in listed.json()] == [created["id"]]
    removed = await client.delete(f"{url}/{created['id']}", headers=w.manager.headers)
    assert removed.status_code == 204
    assert (await client.get(url, headers=w.insider.headers)).json() == []
    assert (
        await book(client, w.insider, w.instrument, local(day, 10), local(day, 11))
    ).status_code == 201
    assert (
        await client.delete(f"{url}/{untouched['id']}", headers=w.manager.headers)
    ).status_code == 404
    assert await db.fetchval(OVERLAPS, w.instrument) == 0


async def test_block_bad_input(client: httpx.AsyncClient, db: Database) -> None:
    w = await make_world(db)
    day = future_day(9)
    url = f"/api/v1/instruments/{w.instrument}/blocks"
    backwards = await client.post(
        url, json=block(local(day, 12), local(day, 9)), headers=w.manager.headers
    )
    assert backwards.status_code == 422
    no_reason = {**block(local(day, 9), local(day, 10)), "reason": ""}
    assert (await client.post(url, json=no_reason, headers=w.manager.headers)).status_code in (
        400,
        422,
    )
    odd_choice = {**block(local(day, 9), local(day, 10)), "on_conflict": "maybe"}
    assert (await client.post(url, json=odd_choice, headers=w.manager.headers)).status_code in (
        400,
        422,
    )
    assert (
        await client.post(
            "/api/v1/instruments/999999999/blocks",
            json=block(local(day, 9), local(day, 10)),
            headers=w.manager.headers,
        )
    ).status_code == 404
