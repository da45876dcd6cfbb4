"""Corrections and deletions of usage sessions, with a reason kept in their history."""
