"""Request and response shapes of the single sign-on API. The client secret goes in, never
out: answers say only whether one is stored."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

Protocol = Literal["oidc", "cas"]
Claim = Annotated[str, msgspec.Meta(max_length=100, pattern=r"^[A-Za-z0-9_.:/-]*$")]
Domain = Annotated[str, msgspec.Meta(min_length=3, max_length=253)]


class IdentityProviderIn(msgspec.Struct, forbid_unknown_fields=True):
    """`issuer`: the OIDC issuer (its discovery document lives under it) or the CAS server's
    base URL (…/cas, where /login and /p3/serviceValidate are). `client_secret` omitted keeps
    the stored one."""

    issuer: Annotated[str, msgspec.Meta(min_length=8, max_length=500)]
    client_id: Annotated[str, msgspec.Meta(max_length=200)] = ""
    client_secret: Annotated[str, msgspec.Meta(max_length=500)] | None = None
    email_claim: Annotated[str, msgspec.Meta(min_length=1, max_length=100)] = "email"
    name_claim: Claim = "name"
    staff_number_claim: Claim = ""
    allowed_domains: Annotated[list[Domain], msgspec.Meta(max_length=20)] = []
    enabled: bool = True


class IdentityProviderOut(msgspec.Struct):
    id: int
    institution_id: int
    protocol: Protocol
    issuer: str
    client_id: str
    has_client_secret: bool
    email_claim: str
    name_claim: str
    staff_number_claim: str
    allowed_domains: list[str]
    enabled: bool
    #: Where the provider sends the browser back (register it at the provider).
    redirect_uri: str
    created_at: datetime
    updated_at: datetime


class SignOnChoiceOut(msgspec.Struct):
    """A "log in with <institution>" button."""

    id: int
    protocol: Protocol
    institution_id: int
    institution_name_zh: str
    institution_name_en: str
    start_url: str
