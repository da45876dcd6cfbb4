"""Request and response shapes of the enterprise API."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class EnterpriseAdminIn(msgspec.Struct, forbid_unknown_fields=True):
    email: Annotated[str, msgspec.Meta(min_length=3, max_length=254)]
    password: Annotated[str, msgspec.Meta(min_length=10, max_length=1024)]
    display_name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    language: Literal["zh-CN", "en"] | None = None


class EnterpriseRegisterIn(msgspec.Struct, forbid_unknown_fields=True):
    """An enterprise and its first account, which becomes its admin."""

    name_zh: Name
    credit_code: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    region_code: Annotated[str, msgspec.Meta(pattern=r"^[0-9A-Z][0-9A-Z-]{1,15}$")]
    admin: EnterpriseAdminIn
    name_en: Annotated[str, msgspec.Meta(max_length=200)] = ""


class EnterpriseOut(msgspec.Struct):
    id: int
    code: str
    name_zh: str
    name_en: str
    credit_code: str | None
    region_code: str
    admin_user_id: int | None


class MergeIn(msgspec.Struct, forbid_unknown_fields=True):
    """The enterprise that stays; the one in the path is merged into it."""

    into: Annotated[int, msgspec.Meta(ge=1, le=2**63 - 1)]


class MergeOut(msgspec.Struct):
    kept: int
    merged: int
    users: int
    instruments: int
    sessions: int
