"""Enterprises (企业) as legal entities: registration with the 统一社会信用代码, their first
account as admin, and merging a duplicate into the enterprise that stays."""
