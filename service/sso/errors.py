"""How a sign-on fails, in words a person can act on. The pages show these in the viewer's
language (the messages are in the catalogues); nothing here is a 500."""

from __future__ import annotations

from service.common.i18n import N_
from service.errors import ProblemError, ServiceUnavailable

UNREACHABLE = N_(
    "The institution's sign-on service cannot be reached right now. Try again later, or log "
    "in with your password."
)
EXPIRED = N_("This sign-on was already used or has expired. Start again from the login page.")
NOT_THIS_BROWSER = N_(
    "This sign-on was started in another browser or its cookie is gone. Start again from the "
    "login page."
)
INVALID_ANSWER = N_(
    "The sign-on answer could not be verified (issuer, audience, nonce or signature). "
    "Start again from the login page."
)
WRONG_ISSUER = N_(
    "The identity provider does not present itself as the configured issuer; the sign-on is "
    "refused. Tell the institution's administrator."
)
CANCELLED = N_("The identity provider did not sign you in. Start again from the login page.")
CONFIG_LOST = N_(
    "The sign-on of this institution must be configured again: its stored key can no longer be read. Tell the institution's administrator."
)


class SignOnRefused(ProblemError):
    status, title, slug = 400, "Sign-on refused", "sign-on-refused"


class ProviderUnavailable(ServiceUnavailable):
    title = "Sign-on service unavailable"
