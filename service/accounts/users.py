"""Users: creation (registration, demo seed) and the caller's own profile."""

from __future__ import annotations

from typing import Any

import asyncpg
import msgspec

from service.accounts import credentials, rules, sql
from service.accounts.membership import add_membership
from service.accounts.passwords import hash_password_async
from service.accounts.principal import Principal
from service.accounts.schemas import (
    AffiliationOut,
    InstitutionRef,
    InstrumentRef,
    MeOut,
    MePatchIn,
    MeUpdatedOut,
    RegionRef,
    RegisterIn,
)
from service.common.i18n import negotiate
from service.common.schemas import Violation
from service.db import Database
from service.errors import Conflict, NotFound, Unprocessable
from service.settings import Settings

_EMAIL_TAKEN = "An account with this email address already exists."


def _unprocessable(violations: list[Violation]) -> Unprocessable:
    return Unprocessable(
        violations[0].message, extra={"violations": [msgspec.to_builtins(v) for v in violations]}
    )


async def create_user(
    conn: asyncpg.Connection,
    *,
    email: str,
    display_name: str,
    institution_id: int,
    password: str | None = None,
    password_hash: str | None = None,
    language: str = "zh-CN",
    is_platform_admin: bool = False,
    verified_by: str | None = None,
) -> int:
    """Insert a user and return its id; raises `Conflict` when the email is taken.

    The stated institution is only a claim unless `verified_by` names how it was proven
    (see `membership.METHODS`). Give either `password` (hashed here, ~0.2 s) or a ready `password_hash` (bulk seeding can
    hash once and reuse it). Rules on the password are the caller's business: registration
    checks them, seeding may not need to.
    """
    if password_hash is None:
        if password is None:
            raise ValueError("create_user needs password or password_hash")
        password_hash = await hash_password_async(password)
    try:
        async with conn.transaction():
            user_id = await conn.fetchval(
                sql.INSERT_USER,
                rules.normalise_email(email),
                display_name.strip(),
                institution_id,
                language,
                password_hash,
                is_platform_admin,
            )
            await add_membership(conn, user_id, institution_id, verified_by=verified_by)
    except asyncpg.UniqueViolationError as exc:
        raise Conflict(_EMAIL_TAKEN) from exc
    return int(user_id)


async def register(db: Database, data: RegisterIn, accept_language: str | None) -> MeOut:
    email = rules.normalise_email(data.email)
    violations = (
        rules.email_violations(email)
        + rules.password_violations(data.password, email)
        + rules.display_name_violations(data.display_name)
    )
    if violations:
        raise _unprocessable(violations)
    active = await db.fetchval(sql.INSTITUTION_ACTIVE, data.institution_id)
    if not active:
        raise _unprocessable(
            [Violation("institution_id", "Choose an existing, active institution.")]
        )
    if await db.fetchval(sql.EMAIL_TAKEN, email):
        raise Conflict(_EMAIL_TAKEN)
    async with db.connection() as conn:
        user_id = await create_user(
            conn,
            email=email,
            display_name=data.display_name,
            institution_id=data.institution_id,
            password=data.password,
            language=data.language or negotiate(accept_language),
        )
    return await load_me(db, user_id)


def _roles(row: Any, administered: list[Any], managed: list[Any]) -> list[str]:
    roles = ["researcher"]
    if managed:
        roles.append("instrument_manager")
    if administered:
        roles.append("institution_admin")
    if row["is_platform_admin"]:
        roles.append("platform_admin")
    if row["evaluator"]:
        roles.append("evaluator")
    return roles


async def load_me(db: Database | asyncpg.Connection, user_id: int) -> MeOut:
    row = await db.fetchrow(sql.ME, user_id)
    if row is None:
        raise NotFound("The user does not exist.")
    administered = list(await db.fetch(sql.ADMINISTERED_INSTITUTIONS, user_id))
    managed = list(await db.fetch(sql.MANAGED_INSTRUMENTS, user_id))
    return MeOut(
        id=row["id"],
        email=row["email"],
        display_name=row["display_name"],
        language=row["language"],
        institution=InstitutionRef(
            row["inst_id"],
            row["inst_code"],
            row["inst_name_zh"],
            row["inst_name_en"],
            row["region_code"],
        ),
        region=RegionRef(
            row["region_code"], row["region_name_zh"], row["region_name_en"], row["timezone"]
        ),
        roles=_roles(row, administered, managed),
        is_platform_admin=row["is_platform_admin"],
        institutions_administered=[InstitutionRef(*a.values()) for a in administered],
        instruments_managed=[InstrumentRef(*m.values()) for m in managed],
        reminder_lead_minutes=list(row["reminder_lead_minutes"]),
        created_at=row["created_at"],
        affiliation=_affiliation(row),
        phone=row["phone"],
    )


def _affiliation(row: Any) -> AffiliationOut:
    state = row["m_state"] or "none"
    if state == "verified" and row["m_ended"]:
        state = "ended"
    return AffiliationOut(
        state=state,
        verified=state == "verified",
        method=row["m_method"],
        claimed_at=row["m_claimed_at"],
        decided_at=row["m_decided_at"],
        ends_at=row["m_ends_at"],
    )


async def update_me(
    db: Database,
    user: Principal,
    data: MePatchIn,
    session_id: str | None,
    *,
    settings: Settings,
    address: str,
) -> MeUpdatedOut:
    """A password change needs the current password and ends every other session and every
    token of the user (`credentials.set_password`)."""
    violations: list[Violation] = []
    if not isinstance(data.display_name, msgspec.UnsetType):
        violations += rules.display_name_violations(data.display_name)
    if not isinstance(data.reminder_lead_minutes, msgspec.UnsetType):
        violations += rules.reminder_violations(data.reminder_lead_minutes)
    if violations:
        raise _unprocessable(violations)
    new_hash = None
    if not isinstance(data.password, msgspec.UnsetType):
        current = data.current_password
        new_hash = await credentials.checked_new_hash(
            db,
            settings,
            user,
            "" if isinstance(current, msgspec.UnsetType) else current,
            new=data.password,
            address=address,
        )
    leads = data.reminder_lead_minutes
    async with db.transaction() as conn:
        await conn.execute(
            sql.UPDATE_ME,
            user.user_id,
            None if isinstance(data.display_name, msgspec.UnsetType) else data.display_name.strip(),
            None if isinstance(data.language, msgspec.UnsetType) else data.language,
            None if isinstance(leads, msgspec.UnsetType) else rules.normalise_reminder_leads(leads),
            None if isinstance(data.phone, msgspec.UnsetType) else data.phone.strip(),
        )
        revoked = None
        if new_hash is not None:
            keep = session_id if user.via_session else None
            revoked = await credentials.set_password(
                conn, user.user_id, new_hash, keep_session_id=keep,
                action="password.changed", address=address,
            )  # fmt: skip
        me = await load_me(conn, user.user_id)
    return MeUpdatedOut(**msgspec.structs.asdict(me), credentials_revoked=revoked)
