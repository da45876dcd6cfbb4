"""Sign-ons in flight: a state is redeemed once, an expired one never, and housekeeping drops
rows a day after they expired."""

from __future__ import annotations

from datetime import timedelta

from service.common.time import utcnow
from service.db import Database
from service.scheduler.jobs import purge_expired
from service.settings import Settings
from service.sso import store
from tests.factories import make_institution


async def test_a_state_is_redeemed_once_and_old_ones_are_purged(
    db: Database, settings: Settings
) -> None:
    inst = await make_institution(db)
    provider = await db.fetchval(
        "INSERT INTO identity_provider (institution_id, protocol, issuer) VALUES ($1, 'cas', 'https://cas.example.edu.cn/cas') RETURNING id",
        inst,
    )
    pending = store.PendingSignOn(provider, "", "", "/bookings")
    async with db.transaction() as conn:
        await store.save_request(conn, "live-state", pending, timedelta(minutes=10))
        await store.save_request(conn, "old-state", pending, timedelta(minutes=10))
        await conn.execute(
            "UPDATE sso_request SET created_at = now() - interval '3 days', "
            "expires_at = now() - interval '2 days' WHERE provider_id = $1 AND next_path = '/bookings' "
            "AND state_hash = sha256('old-state'::bytea)",
            provider,
        )
    async with db.transaction() as conn:
        assert await store.redeem_request(conn, "old-state") is None
        assert await store.redeem_request(conn, "live-state") == pending
        assert await store.redeem_request(conn, "live-state") is None
    result = await purge_expired(db, settings, utcnow())
    assert result.counts["sso_requests"] >= 1
    left = await db.fetchval("SELECT count(*) FROM sso_request WHERE provider_id = $1", provider)
    assert left == 1
