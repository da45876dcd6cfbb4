"""Evaluators: third-party evaluation agencies with read-only access to the institutions they
are assigned; every read they make is written to the audit log."""
