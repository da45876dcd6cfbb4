"""HTTP routes of enterprises: registration and merging duplicates."""

from __future__ import annotations

from typing import Any

from litestar import Request, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from service.accounts.client_address import client_address
from service.accounts.principal import Principal
from service.common.openapi import problem_spec as problem
from service.common.params import PathId
from service.db import Database
from service.enterprises import merge as merging
from service.enterprises.register import register_enterprise
from service.enterprises.schemas import EnterpriseOut, EnterpriseRegisterIn, MergeIn, MergeOut

_TAGS = ["enterprises"]


@post(
    "/api/v1/enterprises",
    operation_id="registerEnterprise",
    tags=_TAGS,
    status_code=201,
    security=[{}],
    responses={
        409: problem("The 统一社会信用代码 or the admin's e-mail address is taken."),
        422: problem("A wrong 统一社会信用代码 (check character), weak password… (violations)."),
    },
)
async def register(
    request: Request[Any, Any, Any],
    data: JSONBody[EnterpriseRegisterIn],
    db: NamedDependency[Database],
) -> EnterpriseOut:
    """Registers an enterprise as a legal entity; its first account is a verified member and
    the enterprise's admin, who approves the enterprise's other accounts. Its users book at
    the enterprise fee class."""
    return await register_enterprise(
        db, data, request.headers.get("accept-language"), client_address(request)
    )


@post(
    "/api/v1/enterprises/{enterprise_id:int}/merge",
    operation_id="mergeEnterprise",
    tags=_TAGS,
    status_code=200,
    responses={
        403: problem("Only platform administrators merge enterprises."),
        404: problem("No such enterprise."),
        409: problem("Not two unmerged enterprises."),
        422: problem("Merging an enterprise into itself."),
    },
)
async def merge(
    *,
    request: Request[Any, Any, Any],
    enterprise_id: PathId,
    data: JSONBody[MergeIn],
    user: NamedDependency[Principal],
    db: NamedDependency[Database],
) -> MergeOut:
    """Merges the enterprise in the path (a duplicate) into `into`."""
    return await merging.merge(db, user, enterprise_id, data.into, address=client_address(request))


ROUTES: list[Any] = [register, merge]
