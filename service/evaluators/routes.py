"""HTTP routes of evaluator assignments."""

from __future__ import annotations

from typing import Any

from litestar import delete, get, put
from litestar.di import NamedDependency

from service.accounts.principal import Principal
from service.common.openapi import problem_spec as problem
from service.common.params import PathId
from service.db import Database
from service.evaluators import assign
from service.evaluators.schemas import EvaluatorOut

DB = NamedDependency[Database]
User = NamedDependency[Principal]
TAGS = ["users"]
ERRORS = {
    401: problem("Not logged in"),
    403: problem("Only platform admins"),
    404: problem("No such institution or user"),
    422: problem("The user is deactivated or holds another role"),
}


@put(
    "/api/v1/institutions/{institution_id:int}/evaluators/{user_id:int}",
    operation_id="grantEvaluator",
    tags=TAGS,
    status_code=204,
    responses=ERRORS,
)
async def grant_evaluator(institution_id: PathId, user_id: PathId, user: User, db: DB) -> None:
    """Let a user (of a third-party evaluation agency) read the institution's figures, records
    and exports. Evaluators change nothing, and every read they make is audited."""
    await assign.set_evaluator(db, user, institution_id, user_id, granted=True)


@delete(
    "/api/v1/institutions/{institution_id:int}/evaluators/{user_id:int}",
    operation_id="revokeEvaluator",
    tags=TAGS,
    status_code=204,
    responses=ERRORS,
)
async def revoke_evaluator(institution_id: PathId, user_id: PathId, user: User, db: DB) -> None:
    await assign.set_evaluator(db, user, institution_id, user_id, granted=False)


@get(
    "/api/v1/institutions/{institution_id:int}/evaluators",
    operation_id="listEvaluators",
    tags=TAGS,
    responses={401: ERRORS[401], 403: problem("Only platform admins and the institution's admins")},
)
async def list_evaluators(institution_id: PathId, user: User, db: DB) -> list[EvaluatorOut]:
    return await assign.list_evaluators(db, user, institution_id)


ROUTES: list[Any] = [grant_evaluator, revoke_evaluator, list_evaluators]
