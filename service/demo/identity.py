"""Demo identities: every demo account a verified member of its institution, an enterprise with
two users, and one unverified claimant waiting in the Jilin University admin's queue.

Runs inside the demo's transaction, after the accounts and their history are written.
"""

from __future__ import annotations

import asyncpg

from service.accounts.membership import add_membership
from service.accounts.passwords import hash_password_async
from service.demo.institutions import DEMO_PASSWORD

#: A valid 统一社会信用代码 (GB 32100-2015 check character) for the demo enterprise.
ENTERPRISE_CODE = "91220101MA0Y3XKM44"
ENTERPRISE_ADMIN = "admin@optics.demo.instrument-share.org"
ENTERPRISE_ENGINEER = "engineer@optics.demo.instrument-share.org"
CLAIMANT = "wang.claimant@mail.demo.instrument-share.org"
JLU_DOMAIN = "jlu.demo.instrument-share.org"

_VERIFY_ALL = """
INSERT INTO membership (user_id, institution_id, state, method, claimed_at, decided_at)
SELECT u.id, u.institution_id, 'verified', 'seed', u.created_at, now() FROM app_user u
WHERE NOT EXISTS (SELECT 1 FROM membership m WHERE m.user_id = u.id)
"""

_USER = """
INSERT INTO app_user (email, display_name, institution_id, language, password_hash)
VALUES ($1, $2, $3, $4, $5) ON CONFLICT ((lower(email))) DO NOTHING RETURNING id
"""


async def seed_identity(conn: asyncpg.Connection, institutions: dict[str, int]) -> None:
    await conn.execute(_VERIFY_ALL)
    password_hash = await hash_password_async(DEMO_PASSWORD)
    await conn.execute(
        """INSERT INTO institution_email_domain (domain, institution_id) VALUES ($1, $2)
           ON CONFLICT DO NOTHING""",
        JLU_DOMAIN,
        institutions["jlu"],
    )
    enterprise = await conn.fetchval(
        """INSERT INTO institution (code, name_zh, name_en, kind, region_code, credit_code)
           VALUES ('ent-demo-optics', '长春光谷精密仪器有限公司',
                   'Changchun Optics Valley Precision Instruments Co., Ltd.', 'enterprise',
                   '220100', $1)
           ON CONFLICT (code) DO NOTHING RETURNING id""",
        ENTERPRISE_CODE,
    )
    if enterprise is not None:
        for email, name, method in (
            (ENTERPRISE_ADMIN, "赵光明", "enterprise"),
            (ENTERPRISE_ENGINEER, "孙工程", "admin"),
        ):
            user_id = await conn.fetchval(_USER, email, name, enterprise, "zh-CN", password_hash)
            if user_id is not None:
                await add_membership(conn, user_id, enterprise, verified_by=method)
                if method == "enterprise":
                    await conn.execute(
                        "INSERT INTO institution_admin (user_id, institution_id) VALUES ($1, $2)",
                        user_id,
                        enterprise,
                    )
    claimant = await conn.fetchval(
        _USER, CLAIMANT, "王小明", institutions["jlu"], "zh-CN", password_hash
    )
    if claimant is not None:
        await add_membership(conn, claimant, institutions["jlu"], verified_by=None)
