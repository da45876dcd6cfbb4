"""Demo identities: every demo account a verified member of its institution, an enterprise with
two users, and one unverified claimant waiting in the Jilin University admin's queue.

Runs inside the demo's transaction, after the accounts and their history are written.
"""

from __future__ import annotations

import asyncpg

from service.accounts.membership import add_membership
from service.accounts.passwords import hash_password_async
from service.demo import sql
from service.demo.institutions import DEMO_PASSWORD

#: A valid 统一社会信用代码 (GB 32100-2015 check character) for the demo enterprise.
ENTERPRISE_CODE = "91220101MA0Y3XKM44"
ENTERPRISE_ADMIN = "admin@optics.demo.instrument-share.org"
ENTERPRISE_ENGINEER = "engineer@optics.demo.instrument-share.org"
CLAIMANT = "wang.claimant@mail.demo.instrument-share.org"
JLU_DOMAIN = "jlu.demo.instrument-share.org"


async def seed_identity(conn: asyncpg.Connection, institutions: dict[str, int]) -> None:
    await conn.execute(sql.VERIFY_ALL_MEMBERSHIPS)
    password_hash = await hash_password_async(DEMO_PASSWORD)
    await conn.execute(
        sql.INSERT_EMAIL_DOMAIN,
        JLU_DOMAIN,
        institutions["jlu"],
    )
    enterprise = await conn.fetchval(
        sql.INSERT_DEMO_ENTERPRISE,
        ENTERPRISE_CODE,
    )
    if enterprise is not None:
        for email, name, method in (
            (ENTERPRISE_ADMIN, "赵光明", "enterprise"),
            (ENTERPRISE_ENGINEER, "孙工程", "admin"),
        ):
            user_id = await conn.fetchval(
                sql.INSERT_ENTERPRISE_USER, email, name, enterprise, "zh-CN", password_hash
            )
            if user_id is not None:
                await add_membership(conn, user_id, enterprise, verified_by=method)
                if method == "enterprise":
                    await conn.execute(
                        sql.INSERT_INSTITUTION_ADMIN,
                        user_id,
                        enterprise,
                    )
    claimant = await conn.fetchval(
        sql.INSERT_ENTERPRISE_USER, CLAIMANT, "王小明", institutions["jlu"], "zh-CN", password_hash
    )
    if claimant is not None:
        await add_membership(conn, claimant, institutions["jlu"], verified_by=None)
