"""Onboarding from files: institutions and instruments from the registry file, users from CSV."""
