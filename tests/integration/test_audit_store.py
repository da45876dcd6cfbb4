"""The audit log keeps events in the transaction that wrote them, and filters them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from service.audit.filters import AuditFilter
from service.audit.store import list_events, record
from service.db import Database
from tests.factories import UserHandle, make_institution, make_user


async def _user(db: Database) -> UserHandle:
    return await make_user(db, await make_institution(db))


async def test_an_event_exists_only_if_its_transaction_committed(db: Database) -> None:
    user = await _user(db)
    with pytest.raises(RuntimeError):
        async with db.transaction() as conn:
            await record(conn, "token.created", actor_user_id=user.id, subject_user_id=user.id)
            raise RuntimeError("roll back")
    async with db.transaction() as conn:
        await record(
            conn,
            "login.succeeded",
            actor_user_id=user.id,
            subject_user_id=user.id,
            institution_id=user.institution_id,
            client_address="192.0.2.7",
            detail={"method": "password"},
        )
    async with db.connection() as conn:
        events, total = await list_events(
            conn, AuditFilter(subject_user_id=user.id), limit=10, offset=0
        )
    assert total == 1
    assert [e.action for e in events] == ["login.succeeded"]
    assert events[0].subject_email == user.email
    assert events[0].detail == {"method": "password"}
    assert events[0].client_address == "192.0.2.7"


async def test_filters_select_by_action_prefix_institution_and_time(db: Database) -> None:
    user = await _user(db)
    other = await _user(db)
    async with db.transaction() as conn:
        for action in ("login.failed", "login.succeeded", "token.revoked"):
            await record(conn, action, subject_user_id=user.id, institution_id=user.institution_id)
        await record(
            conn, "login.failed", subject_user_id=other.id, institution_id=other.institution_id
        )
    async with db.connection() as conn:
        logins, n_logins = await list_events(
            conn, AuditFilter(action="login", subject_user_id=user.id), limit=10, offset=0
        )
        page, total = await list_events(
            conn, AuditFilter(institution_id=user.institution_id), limit=1, offset=1
        )
        first, _ = await list_events(conn, AuditFilter(subject_user_id=user.id), limit=1, offset=0)
        later, n_later = await list_events(
            conn,
            AuditFilter(subject_user_id=user.id, since=first[0].occurred_at + timedelta(seconds=1)),
            limit=10,
            offset=0,
        )
    assert sorted(e.action for e in logins) == ["login.failed", "login.succeeded"]
    assert n_logins == 2
    assert len(page) == 1 and total >= 3
    assert first[0].action == "token.revoked"
    assert later == [] and n_later == 0
