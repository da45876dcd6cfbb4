"""Institutional single sign-on: OpenID Connect (code + PKCE) and CAS 3.0, per institution."""
