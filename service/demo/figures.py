"""The demo's additions for the evaluation of the figures: a third-party evaluation agency and
its evaluator login, assigned to Jilin University (read-only; every read is audited)."""

from __future__ import annotations

import asyncpg

from service.demo import sql

DEMO_EVALUATOR_EMAIL = "evaluator@demo.instrument-share.org"


async def seed_figures_demo(
    conn: asyncpg.Connection, institutions: dict[str, int], admin_email: str
) -> None:
    """Runs in the demo's transaction, after its users (the evaluator shares their password)."""
    agency = await conn.fetchval(sql.INSERT_EVALUATION_AGENCY)
    evaluator = await conn.fetchval(sql.INSERT_EVALUATOR, DEMO_EVALUATOR_EMAIL, agency, admin_email)
    if evaluator is not None:
        await conn.execute(
            sql.INSERT_EVALUATOR_ASSIGNMENT,
            evaluator,
            institutions["jlu"],
        )
