"""Feed tokens: who may create which feed, rotation, revocation, visibility, HTTP caching."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from service.common.time import utcnow
from service.db import Database
from tests.calendars_support import feed_path, insert_booking, new_feed, parse_with_icalendar, uid
from tests.factories import make_institution, make_instrument, make_user


async def _lab(db: Database) -> dict[str, Any]:
    inst = await make_institution(db)
    other_inst = await make_institution(db, region="220200")
    instrument = await make_instrument(db, inst, share_mode="external")
    private = await make_instrument(db, inst, share_mode="none")
    manager = await make_user(db, inst, manages=[instrument])
    admin = await make_user(db, inst, admin_of=[inst])
    researcher = await make_user(db, other_inst)
    colleague = await make_user(db, other_inst)
    return dict(
        inst=inst,
        other_inst=other_inst,
        instrument=instrument,
        private=private,
        manager=manager,
        admin=admin,
        researcher=researcher,
        colleague=colleague,
    )


async def test_create_list_and_fetch_user_feed(client: httpx.AsyncClient, db: Database) -> None:
    lab = await _lab(db)
    researcher = lab["researcher"]
    feed = await new_feed(client, researcher.headers, scope="user")
    assert feed["scope"] == "user" and feed["target_id"] == researcher.id
    assert feed["url"].startswith("http://testserver/feeds/") and feed["url"].endswith(".ics")
    assert feed["webcal_url"] == "webcal://" + feed["url"].removeprefix("http://")
    token = feed["url"].rsplit("/", 1)[1].removesuffix(".ics")
    assert len(token) >= 43  # 256 bits in URL-safe base64; at least 128 are required
    stored = await db.fetchval("SELECT token_hash FROM feed_token WHERE id = $1", feed["id"])
    assert token.encode() not in stored and len(stored) == 32

    listed = await client.get("/api/v1/feeds", headers=researcher.headers)
    assert listed.status_code == 200
    mine = [f for f in listed.json() if f["id"] == feed["id"]]
    assert mine and "url" not in mine[0] and token not in listed.text

    response = await client.get(feed_path(feed))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["cache-control"] == "private, max-age=300"
    assert response.headers["etag"].startswith('"') and response.headers["last-modified"]


async def test_feed_creation_authorization(client: httpx.AsyncClient, db: Database) -> None:
    lab = await _lab(db)
    researcher, manager, admin = lab["researcher"], lab["manager"], lab["admin"]
    instrument, private, inst = lab["instrument"], lab["private"], lab["inst"]
    cases = [
        (researcher, {"scope": "user", "target_id": manager.id}, 403),
        (researcher, {"scope": "instrument", "target_id": instrument}, 403),
        (researcher, {"scope": "instrument", "target_id": instrument, "public": True}, 201),
        (researcher, {"scope": "instrument", "target_id": private, "public": True}, 404),
        (researcher, {"scope": "instrument", "target_id": 2**40}, 404),
        (researcher, {"scope": "institution", "target_id": inst}, 403),
        (researcher, {"scope": "institution"}, 422),
        (researcher, {"scope": "region", "target_id": 1}, 422),
        (manager, {"scope": "instrument", "target_id": instrument}, 201),
        (manager, {"scope": "institution", "target_id": inst}, 403),
        (admin, {"scope": "instrument", "target_id": private}, 201),
        (admin, {"scope": "institution", "target_id": inst}, 201),
        (admin, {"scope": "institution", "target_id": lab["other_inst"]}, 403),
        (admin, {"scope": "institution", "target_id": 2**40}, 404),
    ]
    for who, body, expected in cases:
        response = await client.post("/api/v1/feeds", json=body, headers=who.headers)
        assert response.status_code == expected, (body, response.text)
        if expected != 201:
            assert response.headers["content-type"].startswith("application/problem+json")
    anonymous = await client.post("/api/v1/feeds", json={"scope": "user"})
    assert anonymous.status_code == 401


async def test_rotation_revocation_and_wrong_tokens(
    client: httpx.AsyncClient, db: Database
) -> None:
    lab = await _lab(db)
    researcher, colleague = lab["researcher"], lab["colleague"]
    feed = await new_feed(client, researcher.headers, scope="user")
    old = feed_path(feed)
    assert (await client.get(old)).status_code == 200

    stolen = await client.post(f"/api/v1/feeds/{feed['id']}/rotate", headers=colleague.headers)
    assert stolen.status_code == 404
    rotated = await client.post(f"/api/v1/feeds/{feed['id']}/rotate", headers=researcher.headers)
    assert rotated.status_code == 200 and rotated.json()["id"] == feed["id"]
    new = feed_path(rotated.json())
    assert new != old
    gone = await client.get(old)
    assert gone.status_code == 404 and gone.headers["content-type"].startswith(
        "application/problem+json"
    )
    assert (await client.get(new)).status_code == 200

    assert (
        await client.delete(f"/api/v1/feeds/{feed['id']}", headers=colleague.headers)
    ).status_code == 404
    assert (
        await client.delete(f"/api/v1/feeds/{feed['id']}", headers=researcher.headers)
    ).status_code == 204
    assert (await client.get(new)).status_code == 404
    assert (
        await client.delete(f"/api/v1/feeds/{feed['id']}", headers=researcher.headers)
    ).status_code == 404
    assert (
        await client.post(f"/api/v1/feeds/{feed['id']}/rotate", headers=researcher.headers)
    ).status_code == 404
    listed = await client.get("/api/v1/feeds", headers=researcher.headers)
    assert feed["id"] not in [f["id"] for f in listed.json()]

    for path in (
        "/feeds/not-a-token.ics",
        new.removesuffix(".ics"),
        new[:-8] + "AAAA.ics",
        "/feeds/.ics",
    ):
        assert (await client.get(path)).status_code == 404, path


async def test_feeds_show_only_what_the_owner_may_see(
    client: httpx.AsyncClient, db: Database
) -> None:
    lab = await _lab(db)
    researcher, colleague, manager = lab["researcher"], lab["colleague"], lab["manager"]
    instrument = lab["instrument"]
    start = utcnow().replace(microsecond=0) + timedelta(days=3)
    mine = await insert_booking(
        db,
        instrument,
        researcher.id,
        start,
        start + timedelta(hours=1),
        purpose="秘密课题 secret-purpose-A",
    )
    theirs = await insert_booking(
        db,
        instrument,
        colleague.id,
        start + timedelta(hours=2),
        start + timedelta(hours=3),
        purpose="secret-purpose-B",
    )
    block = await insert_booking(
        db,
        instrument,
        manager.id,
        start + timedelta(hours=4),
        start + timedelta(hours=5),
        kind="maintenance",
        purpose="校准 calibration",
    )

    own = parse_with_icalendar(
        (
            await client.get(feed_path(await new_feed(client, researcher.headers, scope="user")))
        ).content
    )
    assert set(own) == {uid(mine)}

    public_feed = await new_feed(
        client, researcher.headers, scope="instrument", target_id=instrument, public=True
    )
    body = (await client.get(feed_path(public_feed))).content
    public = parse_with_icalendar(body)
    assert set(public) == {uid(mine), uid(theirs), uid(block)}
    text = body.decode()
    for secret in (
        "secret-purpose",
        "秘密",
        researcher.email.split("@")[0],
        colleague.email.split("@")[0],
        "/bookings/",
    ):
        assert secret not in text, secret
    assert "已预约" in public[uid(theirs)].summary

    managed = await new_feed(client, manager.headers, scope="instrument", target_id=instrument)
    managed_body = (await client.get(feed_path(managed))).content.decode()
    assert "secret-purpose-B" in managed_body and colleague.email.split("@")[0] in managed_body

    # The manager loses the instrument: the feed answers 404, exactly like an unknown token.
    await db.execute("DELETE FROM instrument_manager WHERE user_id = $1", manager.id)
    assert (await client.get(feed_path(managed))).status_code == 404
    await db.execute("INSERT INTO instrument_manager VALUES ($1, $2)", manager.id, instrument)
    assert (await client.get(feed_path(managed))).status_code == 200
    # A public feed follows the instrument's sharing: withdrawn from sharing, it is gone.
    await db.execute("UPDATE instrument SET share_mode = 'none' WHERE id = $1", instrument)
    assert (await client.get(feed_path(public_feed))).status_code == 404


async def test_institution_feed_covers_its_instruments_only(
    client: httpx.AsyncClient, db: Database
) -> None:
    lab = await _lab(db)
    admin, researcher = lab["admin"], lab["researcher"]
    other_instrument = await make_instrument(db, lab["other_inst"])
    start = utcnow().replace(microsecond=0) + timedelta(days=5)
    ours = await insert_booking(
        db, lab["private"], researcher.id, start, start + timedelta(hours=1)
    )
    elsewhere = await insert_booking(
        db, other_instrument, researcher.id, start, start + timedelta(hours=1)
    )
    feed = await new_feed(client, admin.headers, scope="institution", target_id=lab["inst"])
    events = parse_with_icalendar((await client.get(feed_path(feed))).content)
    assert uid(ours) in events and uid(elsewhere) not in events
    await db.execute("DELETE FROM institution_admin WHERE user_id = $1", admin.id)
    assert (await client.get(feed_path(feed))).status_code == 404


async def test_etag_304_and_change_detection(client: httpx.AsyncClient, db: Database) -> None:
    lab = await _lab(db)
    researcher = lab["researcher"]
    start = utcnow().replace(microsecond=0) + timedelta(days=2)
    booking = await insert_booking(
        db, lab["instrument"], researcher.id, start, start + timedelta(hours=1)
    )
    path = feed_path(await new_feed(client, researcher.headers, scope="user"))
    first = await client.get(path)
    second = await client.get(path)
    etag = first.headers["etag"]
    assert second.headers["etag"] == etag and second.content == first.content
    cached = await client.get(path, headers={"If-None-Match": etag})
    assert cached.status_code == 304 and cached.content == b"" and cached.headers["etag"] == etag
    assert (await client.get(path, headers={"If-None-Match": f'"x", W/{etag}'})).status_code == 304
    assert (await client.get(path, headers={"If-None-Match": '"other"'})).status_code == 200
    assert (
        await client.get(path + "?future_days=10", headers={"If-None-Match": etag})
    ).status_code == 200

    await db.execute(
        "UPDATE booking SET status = 'cancelled', version = version + 1, updated_at = now() WHERE id = $1",
        booking,
    )
    changed = await client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert parse_with_icalendar(changed.content)[uid(booking)].status == "CANCELLED"


async def test_window_parameters(client: httpx.AsyncClient, db: Database) -> None:
    lab = await _lab(db)
    researcher = lab["researcher"]
    now = utcnow().replace(microsecond=0)

    async def hour_from(days: int, status: str = "confirmed") -> int:
        start = now + timedelta(days=days)
        return await insert_booking(
            db, lab["instrument"], researcher.id, start, start + timedelta(hours=1), status=status
        )

    near = await hour_from(2)
    far = await hour_from(400)
    old = await hour_from(-40, status="completed")
    path = feed_path(await new_feed(client, researcher.headers, scope="user"))
    assert set(parse_with_icalendar((await client.get(path)).content)) == {uid(near)}
    wide = await client.get(path + "?past_days=60&future_days=500")
    assert set(parse_with_icalendar(wide.content)) == {uid(near), uid(far), uid(old)}
    for query in (
        "past_days=-1",
        "past_days=367",
        "future_days=0",
        "future_days=731",
        "past_days=abc",
    ):
        bad = await client.get(f"{path}?{query}")
        assert bad.status_code == 422, query
        assert bad.headers["content-type"].startswith("application/problem+json")
