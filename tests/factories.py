"""Test data written straight to the database, each object with unique names, so tests share
one database without seeing each other's rows."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from service.accounts.passwords import hash_password
from service.accounts.secrets import digest, new_secret
from service.db import Database
from service.search.index import index_instruments

_counter = itertools.count(1)
#: One argon2 hash shared by all factory users (hashing costs ~0.2 s each).
PASSWORD = "correct horse battery staple"
_PASSWORD_HASH = hash_password(PASSWORD)


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_counter)}-{uuid.uuid4().hex[:6]}"


@dataclass
class UserHandle:
    id: int
    email: str
    token: str
    institution_id: int

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def make_institution(
    db: Database, region: str = "220100", kind: str = "university", name: str | None = None
) -> int:
    code = unique("inst").lower()
    label = name or code
    return int(
        await db.fetchval(
            """INSERT INTO institution (code, name_zh, name_en, kind, region_code)
               VALUES ($1, $2, $3, $4, $5) RETURNING id""",
            code,
            f"{label} 单位",
            f"{label} institution",
            kind,
            region,
        )
    )


async def make_user(
    db: Database,
    institution_id: int,
    *,
    platform_admin: bool = False,
    admin_of: list[int] | None = None,
    manages: list[int] | None = None,
    language: str = "zh-CN",
    email: str | None = None,
    verified: bool = True,
) -> UserHandle:
    """A user of `institution_id`; `verified=False` leaves the affiliation a pending claim."""
    email = email or f"{unique('user')}@example.org"
    user_id = int(
        await db.fetchval(
            """INSERT INTO app_user (email, display_name, institution_id, language, password_hash,
                                     is_platform_admin)
               VALUES ($1, $2, $3, $4, $5, $6) RETURNING id""",
            email,
            email.split("@")[0],
            institution_id,
            language,
            _PASSWORD_HASH,
            platform_admin,
        )
    )
    await db.execute(
        """INSERT INTO membership (user_id, institution_id, state, method, decided_at)
           VALUES ($1, $2, $3, $4, CASE WHEN $3 = 'verified' THEN now() END)""",
        user_id,
        institution_id,
        "verified" if verified else "claimed",
        "seed" if verified else None,
    )
    for inst in admin_of or []:
        await db.execute(
            "INSERT INTO institution_admin (user_id, institution_id) VALUES ($1, $2)", user_id, inst
        )
    for instrument in manages or []:
        await db.execute(
            "INSERT INTO instrument_manager (user_id, instrument_id) VALUES ($1, $2)",
            user_id,
            instrument,
        )
    token = new_secret("ist_")
    await db.execute(
        "INSERT INTO api_token (user_id, name, token_hash, prefix) VALUES ($1, 'test', $2, $3)",
        user_id,
        digest(token),
        token[:8],
    )
    return UserHandle(user_id, email, token, institution_id)


async def make_instrument(
    db: Database,
    institution_id: int,
    *,
    category: str = "0102",
    share_mode: str = "external",
    name_zh: str | None = None,
    name_en: str | None = None,
    value: Decimal = Decimal("350.00"),
    **fields: Any,
) -> int:
    columns = {
        "institution_id": institution_id,
        "name_zh": name_zh or unique("仪器"),
        "name_en": name_en or unique("instrument"),
        "category_code": category,
        "original_value": value,
        "share_mode": share_mode,
        **fields,
    }
    names = ", ".join(columns)
    params = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    async with db.transaction() as conn:
        new_id = int(
            await conn.fetchval(
                f"INSERT INTO instrument ({names}) VALUES ({params}) RETURNING id",
                *columns.values(),
            )
        )
        # As every write path of the product does: searchable when the insert commits.
        await index_instruments(conn, [new_id])
    return new_id
