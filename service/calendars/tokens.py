"""Feed tokens: created, listed, rotated and revoked by their owner.

The plain token (256 random bits) appears only in the URL returned at creation or rotation;
the table keeps its SHA-256, so a leaked database does not leak subscriptions. Rotation
replaces the hash in place: the old URL is unknown, hence 404, from the same commit.
"""

from __future__ import annotations

from typing import Any

from service.accounts.principal import Principal
from service.accounts.secrets import digest, new_secret
from service.calendars import sql
from service.calendars.schemas import FeedCreatedOut, FeedIn, FeedOut, FeedScope, StoredScope
from service.db import Database
from service.errors import Conflict, Forbidden, NotFound, Unprocessable

MAX_FEEDS_PER_USER = 50


def feed_urls(base_url: str, token: str) -> tuple[str, str]:
    url = f"{base_url}/feeds/{token}.ics"
    scheme, _, rest = url.partition("://")
    return url, f"webcal://{rest}"


def _public_view(stored: str) -> tuple[FeedScope, bool]:
    if stored == "instrument_public":
        return "instrument", True
    scope: FeedScope = "user" if stored == "user" else stored  # type: ignore[assignment]
    return scope, False


async def _authorize_instrument(
    db: Database, user: Principal, instrument_id: int, public: bool
) -> None:
    row = await db.fetchrow(sql.INSTRUMENT_SHARING, instrument_id)
    if row is None:
        raise NotFound(f"Instrument {instrument_id} does not exist.")
    if user.can_manage_instrument(instrument_id, row["institution_id"]):
        return
    shared = row["share_mode"] == "external" or (
        row["share_mode"] == "internal" and row["institution_id"] == user.institution_id
    )
    if public and shared:
        return
    if public:
        raise NotFound(f"Instrument {instrument_id} is not shared with you.")
    raise Forbidden(
        "Only the instrument's managers and administrators may subscribe to its bookings."
    )


async def authorize(db: Database, user: Principal, data: FeedIn) -> tuple[StoredScope, int]:
    """The stored scope and target, or the reason the caller may not have this feed."""
    if data.scope == "user":
        if data.target_id not in (None, user.user_id):
            raise Forbidden("A personal feed can only show your own bookings.")
        return "user", user.user_id
    if data.target_id is None:
        raise Unprocessable(
            f"A {data.scope} feed needs target_id.",
            extra={"violations": [{"rule": "target_id", "message": "required for this scope"}]},
        )
    if data.scope == "instrument":
        await _authorize_instrument(db, user, data.target_id, data.public)
        return ("instrument_public" if data.public else "instrument"), data.target_id
    exists = await db.fetchval(sql.INSTITUTION_EXISTS, data.target_id)
    if not exists:
        raise NotFound(f"Institution {data.target_id} does not exist.")
    if not user.is_admin_of(data.target_id):
        raise Forbidden("Only the institution's administrators may subscribe to its bookings.")
    return "institution", data.target_id


def _created(row: Any, token: str, base_url: str) -> FeedCreatedOut:
    url, webcal = feed_urls(base_url, token)
    scope, public = _public_view(row["scope"])
    return FeedCreatedOut(
        id=row["id"],
        url=url,
        webcal_url=webcal,
        scope=scope,
        target_id=row["target_id"],
        public=public,
        created_at=row["created_at"],
    )


async def create_feed(db: Database, user: Principal, data: FeedIn, base_url: str) -> FeedCreatedOut:
    scope, target_id = await authorize(db, user, data)
    token = new_secret()
    row = await db.fetchrow(
        sql.INSERT_FEED_UNDER_LIMIT,
        user.user_id,
        scope,
        target_id,
        digest(token),
        MAX_FEEDS_PER_USER,
    )
    if row is None:
        raise Conflict(f"You already have {MAX_FEEDS_PER_USER} feeds; revoke one first.")
    return _created(row, token, base_url)


async def list_feeds(db: Database, user: Principal) -> list[FeedOut]:
    rows = await db.fetch(
        sql.ACTIVE_FEEDS_OF_USER,
        user.user_id,
    )
    out = []
    for row in rows:
        scope, public = _public_view(row["scope"])
        out.append(
            FeedOut(
                id=row["id"],
                scope=scope,
                target_id=row["target_id"],
                public=public,
                created_at=row["created_at"],
                rotated_at=row["rotated_at"],
                last_used_at=row["last_used_at"],
            )
        )
    return out


async def rotate_feed(db: Database, user: Principal, feed_id: int, base_url: str) -> FeedCreatedOut:
    token = new_secret()
    row = await db.fetchrow(
        sql.ROTATE_FEED,
        feed_id,
        user.user_id,
        digest(token),
    )
    if row is None:
        raise NotFound(f"You have no active feed {feed_id}.")
    return _created(row, token, base_url)


async def revoke_feed(db: Database, user: Principal, feed_id: int) -> None:
    status = await db.execute(
        sql.REVOKE_FEED,
        feed_id,
        user.user_id,
    )
    if status != "UPDATE 1":
        raise NotFound(f"You have no active feed {feed_id}.")
