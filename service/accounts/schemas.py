"""Request and response shapes of the accounts API.

Inputs forbid unknown fields so a misspelt member is a 4xx instead of being silently ignored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec

Language = Literal["zh-CN", "en"]
Email = Annotated[str, msgspec.Meta(min_length=3, max_length=254)]
Password = Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]
NewPassword = Annotated[str, msgspec.Meta(min_length=10, max_length=1024)]
DisplayName = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
LeadMinutes = Annotated[int, msgspec.Meta(ge=5, le=10080)]
Id = Annotated[int, msgspec.Meta(ge=1, le=2**63 - 1)]


class LoginIn(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    password: Password


class RegisterIn(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    password: NewPassword
    display_name: DisplayName
    institution_id: Id
    language: Language | None = None


#: Digits, spaces, `+`, `-` and parentheses (`0431-85168888`, `+86 138 0000 0000`).
Phone = Annotated[str, msgspec.Meta(max_length=30, pattern=r"^[0-9+() -]*$")]


class MePatchIn(msgspec.Struct, forbid_unknown_fields=True):
    """Only the members sent are changed; `password` needs `current_password`."""

    display_name: DisplayName | msgspec.UnsetType = msgspec.UNSET
    language: Language | msgspec.UnsetType = msgspec.UNSET
    password: NewPassword | msgspec.UnsetType = msgspec.UNSET
    current_password: Password | msgspec.UnsetType = msgspec.UNSET
    reminder_lead_minutes: (
        Annotated[list[LeadMinutes], msgspec.Meta(max_length=5)] | msgspec.UnsetType
    ) = msgspec.UNSET
    #: A contact number the managers of booked instruments see; empty removes it.
    phone: Phone | msgspec.UnsetType = msgspec.UNSET


class InstitutionRef(msgspec.Struct):
    id: int
    code: str
    name_zh: str
    name_en: str
    region_code: str


class RegionRef(msgspec.Struct):
    code: str
    name_zh: str
    name_en: str
    timezone: str


class InstrumentRef(msgspec.Struct):
    id: int
    name_zh: str
    name_en: str
    institution_id: int


class AffiliationOut(msgspec.Struct):
    """Whether the stated institution is proven. `state`: `verified` (in force), `claimed`
    (waiting for a confirmation or an admin), `rejected`, `revoked`, `ended` (its end date
    passed) or `none`. Only `verified` counts as belonging to the institution."""

    state: str
    verified: bool
    method: str | None
    claimed_at: datetime | None
    decided_at: datetime | None
    ends_at: datetime | None


class MeOut(msgspec.Struct):
    id: int
    email: str
    display_name: str
    language: str
    institution: InstitutionRef
    region: RegionRef
    roles: list[str]
    is_platform_admin: bool
    institutions_administered: list[InstitutionRef]
    instruments_managed: list[InstrumentRef]
    reminder_lead_minutes: list[int]
    created_at: datetime
    affiliation: AffiliationOut
    phone: str = ""


class RevokedOut(msgspec.Struct):
    """What a password change or reset ended: other browser sessions and every API token."""

    sessions: int
    tokens: int
    kept_current_session: bool


class MeUpdatedOut(MeOut):
    """The profile after a change; `credentials_revoked` is set when the password changed."""

    credentials_revoked: RevokedOut | None = None


class LoginOut(msgspec.Struct):
    token: str
    token_expires_at: datetime
    csrf_token: str
    user: MeOut


class UserOut(msgspec.Struct):
    """A user as administrators see them."""

    id: int
    email: str
    display_name: str
    institution_id: int
    language: str
    is_active: bool
    is_platform_admin: bool
    admin_of: list[int]
    manages: list[int]
    created_at: datetime
    updated_at: datetime


class UserPatchIn(msgspec.Struct, forbid_unknown_fields=True):
    display_name: DisplayName | msgspec.UnsetType = msgspec.UNSET
    is_active: bool | msgspec.UnsetType = msgspec.UNSET
    is_platform_admin: bool | msgspec.UnsetType = msgspec.UNSET


class TokenIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    expires_in_days: Annotated[int, msgspec.Meta(ge=1, le=3650)] | None = None


class TokenOut(msgspec.Struct):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(msgspec.Struct):
    """The only response that ever contains the secret."""

    id: int
    name: str
    prefix: str
    token: str
    created_at: datetime
    expires_at: datetime | None


class InstrumentManagerOut(msgspec.Struct):
    user_id: int
    email: str
    display_name: str
    institution_id: int


class AuditEventOut(msgspec.Struct):
    """One event of the audit log, with the e-mail addresses of its actor and subject."""

    id: int
    occurred_at: datetime
    action: str
    actor_user_id: int | None
    actor_email: str | None
    subject_user_id: int | None
    subject_email: str | None
    institution_id: int | None
    client_address: str
    detail: dict[str, Any]
