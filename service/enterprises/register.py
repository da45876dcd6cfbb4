"""Registering an enterprise: the legal entity (name, 统一社会信用代码, region) and its first
account, which is verified as a member and made the enterprise's admin, so it can approve the
enterprise's other accounts from the affiliation queue."""

from __future__ import annotations

import asyncpg
import msgspec

from service.accounts import rules as account_rules
from service.accounts.users import create_user
from service.audit import store as audit
from service.common.i18n import negotiate
from service.common.schemas import Violation
from service.db import Database
from service.enterprises import rules, sql
from service.enterprises.schemas import EnterpriseOut, EnterpriseRegisterIn
from service.errors import Conflict, Unprocessable


def _refuse(violations: list[Violation]) -> Unprocessable:
    return Unprocessable(
        violations[0].message, extra={"violations": [msgspec.to_builtins(v) for v in violations]}
    )


def _violations(data: EnterpriseRegisterIn, code: str, email: str) -> list[Violation]:
    found = rules.credit_code_violations(code)
    found += account_rules.email_violations(email)
    found += account_rules.password_violations(data.admin.password, email)
    found += account_rules.display_name_violations(data.admin.display_name)
    if not data.name_zh.strip():
        found.append(Violation("name_zh", "The enterprise's name must not be blank."))
    return found


async def _insert(conn: asyncpg.Connection, data: EnterpriseRegisterIn, code: str) -> int:
    if not await conn.fetchval(sql.REGION_EXISTS, data.region_code):
        raise _refuse([Violation("region_code", "Choose an existing region.")])
    try:
        async with conn.transaction():
            return int(
                await conn.fetchval(
                    sql.INSERT_ENTERPRISE,
                    "ent-" + code.lower(),
                    data.name_zh.strip(),
                    data.name_en.strip() or data.name_zh.strip(),
                    data.region_code,
                    code,
                )
            )
    except asyncpg.UniqueViolationError:
        raise Conflict(
            "An enterprise with this 统一社会信用代码 is registered already; ask its admin "
            "for an account.",
            extra={"violations": [{"rule": "credit_code", "message": "taken"}]},
        ) from None


async def register_enterprise(
    db: Database, data: EnterpriseRegisterIn, accept_language: str | None, address: str
) -> EnterpriseOut:
    code = rules.normalise_code(data.credit_code)
    email = account_rules.normalise_email(data.admin.email)
    found = _violations(data, code, email)
    if found:
        raise _refuse(found)
    async with db.transaction() as conn:
        institution_id = await _insert(conn, data, code)
        user_id = await create_user(
            conn, email=email, display_name=data.admin.display_name,
            institution_id=institution_id, password=data.admin.password,
            language=data.admin.language or negotiate(accept_language), verified_by="enterprise",
        )  # fmt: skip
        await conn.execute(
            sql.INSERT_INSTITUTION_ADMIN,
            user_id,
            institution_id,
        )
        await audit.record(
            conn, "enterprise.registered", actor_user_id=user_id, subject_user_id=user_id,
            institution_id=institution_id, client_address=address,
            detail={"credit_code": code, "role": "institution_admin"},
        )  # fmt: skip
    return EnterpriseOut(
        institution_id, "ent-" + code.lower(), data.name_zh.strip(),
        data.name_en.strip() or data.name_zh.strip(), code, data.region_code, user_id,
    )  # fmt: skip
