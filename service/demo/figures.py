"""The demo's additions for the evaluation of the figures: a third-party evaluation agency and
its evaluator login, assigned to Jilin University (read-only; every read is audited)."""

from __future__ import annotations

import asyncpg

DEMO_EVALUATOR_EMAIL = "evaluator@demo.instrument-share.org"

_AGENCY = """
INSERT INTO institution (code, name_zh, name_en, kind, region_code)
VALUES ('jl-eval', '吉林省科技评估中心', 'Jilin Science and Technology Evaluation Centre', 'other',
        '220100')
ON CONFLICT (code) DO UPDATE SET code = EXCLUDED.code RETURNING id
"""

_EVALUATOR = """
INSERT INTO app_user (email, display_name, institution_id, language, password_hash)
SELECT $1, '赵文静', $2, 'zh-CN', password_hash FROM app_user WHERE lower(email) = $3
ON CONFLICT ((lower(email))) DO NOTHING RETURNING id
"""


async def seed_figures_demo(
    conn: asyncpg.Connection, institutions: dict[str, int], admin_email: str
) -> None:
    """Runs in the demo's transaction, after its users (the evaluator shares their password)."""
    agency = await conn.fetchval(_AGENCY)
    evaluator = await conn.fetchval(_EVALUATOR, DEMO_EVALUATOR_EMAIL, agency, admin_email)
    if evaluator is not None:
        await conn.execute(
            "INSERT INTO evaluator_assignment (user_id, institution_id) VALUES ($1, $2)",
            evaluator,
            institutions["jlu"],
        )
