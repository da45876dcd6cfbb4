"""Verified affiliation: how a claimed membership becomes proven (a mailed link to an address
in one of the institution's e-mail domains, an institution admin's approval, or a login through
the institution's identity provider), and how it is revoked or ends."""
