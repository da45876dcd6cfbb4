"""Request and response shapes of the affiliation API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from service.common.time import AwareDatetime

Email = Annotated[str, msgspec.Meta(min_length=3, max_length=254)]
Reason = Annotated[str, msgspec.Meta(max_length=1000)]
MembershipState = Literal["claimed", "verified", "rejected", "revoked"]


class EmailDomainOut(msgspec.Struct):
    domain: str
    institution_id: int
    created_at: datetime


class ConfirmationIn(msgspec.Struct, forbid_unknown_fields=True):
    """An address at the institution (it may differ from the login address)."""

    email: Email


class ConfirmationSentOut(msgspec.Struct):
    detail: str
    email: str
    expires_in_hours: int


class ConfirmIn(msgspec.Struct, forbid_unknown_fields=True):
    token: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class DecisionIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason = ""


class MembershipPatchIn(msgspec.Struct, forbid_unknown_fields=True):
    """`ends_at`: when the membership ends (null: no end)."""

    ends_at: AwareDatetime | None


class MembershipOut(msgspec.Struct):
    id: int
    user_id: int
    email: str
    display_name: str
    institution_id: int
    state: str
    method: str | None
    claimed_at: datetime
    decided_at: datetime | None
    decided_by: int | None
    reason: str
    ends_at: datetime | None
    in_force: bool
