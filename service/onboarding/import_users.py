"""An institution admin lists the institution's members in a CSV file (email, name, language);
each new address gets an inactive account at that institution and an invitation mail.

The admin vouches for the affiliation: each created account is recorded in the audit log as a
membership confirmed by that admin. Addresses that already have an account are left as they are
(and reported); a file with any bad row creates nobody.
"""

from __future__ import annotations

import re
from datetime import datetime

import asyncpg

from service.accounts import rules
from service.accounts.principal import Principal
from service.audit import store as audit
from service.db import Database
from service.errors import Forbidden, Unprocessable
from service.onboarding import store
from service.onboarding.import_instruments import file_error, read_sheet_with
from service.onboarding.instrument_rows import RowIssue
from service.onboarding.invite import Invitee, invite
from service.onboarding.schemas import FileFacts, UserImportReport

LABELS = {
    "email": "email", "邮箱": "email", "电子邮箱": "email", "e-mail": "email",
    "name": "name", "display_name": "name", "姓名": "name",
    "language": "language", "语言": "language",
}  # fmt: skip
LANGUAGES = {"": "zh-CN", "zh": "zh-CN", "zh-cn": "zh-CN", "中文": "zh-CN", "en": "en", "english": "en", "英文": "en"}  # fmt: skip
MAX_USERS = 5000


def _check(rows: list[tuple[int, dict[str, str]]]) -> tuple[list[Invitee], list[RowIssue]]:
    people: list[Invitee] = []
    issues: list[RowIssue] = []
    seen: dict[str, int] = {}
    for line, cells in rows:
        email = rules.normalise_email(cells.get("email", ""))
        name = re.sub(r"\s+", " ", cells.get("name", "")).strip()
        language = LANGUAGES.get(cells.get("language", "").strip().lower())
        if rules.email_violations(email):
            issues.append(RowIssue(line, "email", cells.get("email", ""), "not an e-mail address"))
        elif email in seen:
            issues.append(RowIssue(line, "email", email, f"duplicate of line {seen[email]}"))
        seen.setdefault(email, line)
        if not 1 <= len(name) <= 100:
            issues.append(RowIssue(line, "name", name, "required, at most 100 characters"))
        if language is None:
            issues.append(RowIssue(line, "language", cells.get("language", ""), "zh or en"))
        people.append(Invitee(email, name, 0, language or "zh-CN"))
    return people, issues


async def import_users(
    db: Database,
    user: Principal,
    institution_id: int,
    data: bytes,
    *,
    name: str,
    dry_run: bool,
    base_url: str,
    now: datetime,
) -> UserImportReport:
    if not user.is_admin_of(institution_id):
        raise Forbidden("Only admins of the institution may add its members.")
    sheet = read_sheet_with(data, name, "text/csv", labels=LABELS, required=("email", "name"))
    if len(sheet.rows) > MAX_USERS:
        raise file_error(name, f"more than {MAX_USERS} people; split the file")
    people, issues = _check(sheet.rows)
    issues += [RowIssue(line, f, "", "formulas are not imported") for line, f in sheet.formulas]
    async with db.connection() as conn:
        existing = await store.users_by_email(conn, [p.email for p in people])
    new = [p for p in people if p.email not in existing]
    report = UserImportReport(
        dry_run=dry_run, applied=False,
        file=FileFacts(name, sheet.format, sheet.encoding, len(sheet.rows), sheet.ignored_columns),
        errors=issues, users_invited=len(new), users_existing=len(people) - len(new),
    )  # fmt: skip
    if issues and not dry_run:
        raise Unprocessable(
            f"{len(issues)} problem(s) in the file; nobody was added.",
            extra={"errors": [{"line": i.line, "field": i.field, "value": i.value, "reason": i.reason} for i in issues]},
        )  # fmt: skip
    if dry_run:
        return report

    report.applied = await _create(db, user, institution_id, new, base_url=base_url, now=now)
    return report


async def _create(
    db: Database,
    user: Principal,
    institution_id: int,
    people: list[Invitee],
    *,
    base_url: str,
    now: datetime,
) -> bool:
    """Invite everyone in one transaction; each account's affiliation is vouched for by `user`."""

    async def work(conn: asyncpg.Connection) -> bool:
        for person in people:
            invitee = Invitee(person.email, person.display_name, institution_id, person.language)
            created = await invite(
                conn, invitee, invited_by=user.user_id, base_url=base_url, now=now
            )
            await audit.record(
                conn, "membership.verified", actor_user_id=user.user_id, subject_user_id=created,
                institution_id=institution_id, detail={"via": "user_import"},
            )  # fmt: skip
        return True

    return await db.in_transaction(work)
