"""HTTP routes of onboarding: registry-file imports, member lists, invitations.

Files travel as the raw request body (`Content-Type: text/csv` or the .xlsx type, or
`application/octet-stream` with `filename`), up to `MAX_IMPORT_BYTES`; larger bodies are
refused with 413 before they are read whole.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter, QueryParameter

from service.accounts.principal import Principal
from service.common.openapi import problem_spec as _problem
from service.common.params import PathId
from service.common.time import utcnow
from service.db import Database
from service.onboarding import import_instruments, import_users, invite
from service.onboarding.schemas import InstrumentImportReport, UserImportReport
from service.settings import Settings

TAGS = ["onboarding"]
#: A province's whole registry file (10,000 instruments) is ~20 MB as CSV.
MAX_IMPORT_BYTES = 32 * 1024 * 1024
DB = NamedDependency[Database]
User = NamedDependency[Principal]
Config = NamedDependency[Settings]
DryRun = Annotated[bool, QueryParameter(description="check and report only; write nothing")]
FileName = Annotated[str, QueryParameter(max_length=200, description="name of the uploaded file")]
IMPORT_ERRORS = {
    403: _problem("Platform admins, or institution admins for their own institutions"),
    413: _problem("The file is larger than 32 MiB"),
    422: _problem(
        "Unreadable file, missing columns or bad rows (`errors`: line, field, value, reason)"
    ),
}


class AcceptIn(msgspec.Struct, forbid_unknown_fields=True):
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]


class AcceptOut(msgspec.Struct):
    user_id: int


def _media(request: Request[Any, Any, Any]) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


@post(
    "/api/v1/imports/instruments",
    operation_id="importRegistryInstruments",
    tags=TAGS,
    status_code=200,
    request_max_body_size=MAX_IMPORT_BYTES,
    responses=IMPORT_ERRORS,
)
async def import_registry_instruments(
    *,
    request: Request[Any, Any, Any],
    db: DB,
    user: User,
    settings: Config,
    dry_run: DryRun = True,
    filename: FileName = "upload",
) -> InstrumentImportReport:
    """Institutions and instruments from the national registry's instrument file (CSV or
    .xlsx as the body; registry field names or Chinese headers). `dry_run=true` (the default)
    reports every problem by line, field, value and reason; `dry_run=false` writes the whole
    file in one transaction or nothing. Idempotent by institution code and innerId."""
    return await import_instruments.import_instruments(
        db, user, await request.body(), name=filename, media_type=_media(request),
        dry_run=dry_run, base_url=settings.base_url, now=utcnow(),
    )  # fmt: skip


@post(
    "/api/v1/institutions/{institution_id:int}/users/import",
    operation_id="importInstitutionUsers",
    tags=TAGS,
    status_code=200,
    request_max_body_size=MAX_IMPORT_BYTES,
    responses=IMPORT_ERRORS,
)
async def import_institution_users(
    *,
    request: Request[Any, Any, Any],
    db: DB,
    user: User,
    settings: Config,
    institution_id: PathId,
    dry_run: DryRun = True,
    filename: FileName = "users.csv",
) -> UserImportReport:
    """Members of an institution from CSV (`email`, `name`, optional `language`; Chinese
    headers 邮箱/姓名/语言 too), by an admin of that institution: new addresses get an account
    and an invitation mail; the admin's upload confirms their affiliation."""
    return await import_users.import_users(
        db, user, institution_id, await request.body(), name=filename,
        dry_run=dry_run, base_url=settings.base_url, now=utcnow(),
    )  # fmt: skip


@post(
    "/api/v1/invitations/{token:str}/accept",
    operation_id="acceptInvitation",
    tags=TAGS,
    status_code=200,
    security=[],
    responses={
        404: _problem("Unknown, used or expired invitation"),
        422: _problem("The password breaks a rule"),
    },
)
async def accept_invitation(
    db: DB, token: Annotated[str, PathParameter(max_length=200)], data: JSONBody[AcceptIn]
) -> AcceptOut:
    """Choose a password for an account someone created for you; then log in as usual."""

    async def work(conn: Any) -> int:
        return await invite.accept(conn, token, data.password, utcnow())

    return AcceptOut(user_id=await db.in_transaction(work))


ROUTES: list[Any] = [import_registry_instruments, import_institution_users, accept_invitation]
