"""Import institutions and instruments from the national registry's instrument file.

Steps: read the file (CSV or .xlsx; see `reading`), check every row against the reference data
(`instrument_rows`), plan the managers (contacts matched to accounts by e-mail, or invited),
then — unless this is a dry run or anything is wrong — write everything in one transaction
under an advisory lock: new institutions, instruments inserted or updated by institution and
asset number (a second import of the same file changes nothing), managers, invitations, and
one audit event. A file with a single bad row is imported not at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from service.accounts.principal import Principal
from service.audit import store as audit
from service.db import LOCK_JOB, Database, advisory_xact_lock
from service.errors import Forbidden, Unprocessable
from service.onboarding import reading, sql, store
from service.onboarding.instrument_rows import REQUIRED_COLUMNS, Parsed, RowIssue, check_rows
from service.onboarding.invite import Invitee, invite
from service.onboarding.schemas import FileFacts, InstrumentImportReport
from service.registry import vocab
from service.search.index import index_instruments

#: Second key of the advisory lock (namespace LOCK_JOB): one import writes at a time.
IMPORT_LOCK_KEY = 2026_0017
LABELS = {
    key: name
    for name, zh in vocab.INSTRUMENT_FIELDS + vocab.INSTITUTION_FIELDS
    for key in (name, zh)
}


@dataclass(slots=True)
class ManagerPlan:
    matched: list[tuple[str, int]] = field(default_factory=list)  # (email, user id)
    invite: dict[str, tuple[str, str]] = field(default_factory=dict)  # email -> (insCode, name)
    warnings: list[RowIssue] = field(default_factory=list)


def importer_scope(user: Principal) -> frozenset[int] | None:
    if user.is_platform_admin:
        return None
    if not user.admin_of:
        raise Forbidden("Imports are for platform admins and institution admins.")
    return frozenset(user.admin_of)


def read_sheet_with(
    data: bytes,
    name: str,
    media_type: str,
    *,
    labels: dict[str, str],
    required: tuple[str, ...],
) -> reading.Sheet:
    """Read a file or raise the per-file error (unreadable, wrong encoding, missing columns)."""
    try:
        sheet = reading.read(data, labels, name=name, media_type=media_type)
    except reading.FileProblem as exc:
        raise file_error(name, str(exc)) from None
    missing = [c for c in required if c not in sheet.columns]
    if missing:
        raise file_error(name, f"missing column(s): {', '.join(missing)}")
    return sheet


def file_error(name: str, reason: str) -> Unprocessable:
    issue = {"line": None, "field": "file", "value": name, "reason": reason}
    return Unprocessable(f"The file cannot be imported: {reason}", extra={"errors": [issue]})


def _facts(sheet: reading.Sheet, name: str) -> FileFacts:
    return FileFacts(name, sheet.format, sheet.encoding, len(sheet.rows), sheet.ignored_columns)


def _formula_issues(sheet: reading.Sheet) -> list[RowIssue]:
    return [
        RowIssue(line, name, "", "formulas are not imported; paste the value")
        for line, name in sheet.formulas
    ]


async def _plan_managers(
    conn: asyncpg.Connection, parsed: Parsed, institutions: dict[str, int]
) -> ManagerPlan:
    """Contacts are matched to accounts of the same institution, or invited there."""
    plan = ManagerPlan()
    wanted: dict[str, tuple[int, str, str]] = {}  # email -> (line, insCode, contact name)
    for line, values in parsed.instruments:
        email = values["contact_email"].lower()
        if email and email not in wanted:
            wanted[email] = (line, values["ins_code"], values["contact_name"])
    users = await store.users_by_email(conn, list(wanted))
    for email, (line, code, name) in wanted.items():
        target = institutions.get(code)
        found = users.get(email)
        if found is None:
            plan.invite[email] = (code, name or email.split("@")[0])
        elif target is not None and found["institution_id"] != target:
            plan.warnings.append(
                RowIssue(
                    line, "email", email, "an account of another institution: not made manager"
                )
            )
        else:
            plan.matched.append((email, found["id"]))
    return plan


async def import_instruments(
    db: Database,
    user: Principal,
    data: bytes,
    *,
    name: str,
    media_type: str,
    dry_run: bool,
    base_url: str,
    now: datetime,
) -> InstrumentImportReport:
    allowed = importer_scope(user)
    sheet = read_sheet_with(data, name, media_type, labels=LABELS, required=REQUIRED_COLUMNS)
    today = (now + timedelta(hours=14)).date()
    async with db.connection() as conn:
        refs = await store.load_refs(conn, allowed, today)
        parsed = check_rows(sheet.rows, refs)
        parsed.issues += _formula_issues(sheet)
        plan = await _plan_managers(conn, parsed, refs.institutions)
        keys = [
            (refs.institutions[v["ins_code"]], v["inner_id"])
            for _, v in parsed.instruments
            if v["ins_code"] in refs.institutions
        ]
        existing = await store.existing_keys(conn, keys)
    report = InstrumentImportReport(
        dry_run=dry_run, applied=False, file=_facts(sheet, name),
        errors=sorted(parsed.issues, key=lambda i: (i.line or 0, i.field)),
        warnings=plan.warnings, institutions_created=len(parsed.institutions),
        instruments_created=len(parsed.instruments) - len(existing),
        instruments_updated=len(existing), instruments_unchanged=0,
        managers_matched=len(plan.matched), managers_invited=len(plan.invite),
    )  # fmt: skip
    if report.errors and not dry_run:
        raise Unprocessable(
            f"{len(report.errors)} problem(s) in the file; nothing was imported.",
            extra={"errors": [_issue_dict(i) for i in report.errors[:1000]]},
        )
    if dry_run:
        return report
    return await _apply(db, user, parsed, plan, report=report, base_url=base_url, now=now)


def _issue_dict(issue: RowIssue) -> dict[str, Any]:
    return {"line": issue.line, "field": issue.field, "value": issue.value, "reason": issue.reason}


async def _apply(
    db: Database,
    user: Principal,
    parsed: Parsed,
    plan: ManagerPlan,
    *,
    report: InstrumentImportReport,
    base_url: str,
    now: datetime,
) -> InstrumentImportReport:
    async def work(conn: asyncpg.Connection) -> InstrumentImportReport:
        await advisory_xact_lock(conn, LOCK_JOB, IMPORT_LOCK_KEY)
        ids = await store.create_institutions(conn, list(parsed.institutions.values()))
        codes = {v["ins_code"] for _, v in parsed.instruments}
        ids |= {r["code"]: r["id"] for r in await conn.fetch(sql.INSTITUTION_IDS, list(codes))}
        records = [
            (ids[v["ins_code"]], *(v[c] for c in sql.COLUMNS[1:])) for _, v in parsed.instruments
        ]
        created, updated, written = await store.upsert_instruments(conn, records)
        # Searchable the moment the import commits, like any other instrument write.
        await index_instruments(conn, written)
        invited = await _write_managers(
            conn, parsed, plan, ids, user=user, base_url=base_url, now=now
        )
        await audit.record(
            conn, "registry.import", actor_user_id=user.user_id,
            detail={"file": report.file.name, "rows": report.file.rows, "created": created,
                    "updated": updated, "institutions": len(parsed.institutions), "invited": invited},
        )  # fmt: skip
        report.applied = True
        report.instruments_created, report.instruments_updated = created, updated
        report.instruments_unchanged = len(records) - created - updated
        report.managers_invited = invited
        return report

    return await db.in_transaction(work)


async def _write_managers(
    conn: asyncpg.Connection,
    parsed: Parsed,
    plan: ManagerPlan,
    ids: dict[str, int],
    *,
    user: Principal,
    base_url: str,
    now: datetime,
) -> int:
    accounts = dict(plan.matched)
    for email, (code, name) in plan.invite.items():
        invitee = Invitee(email, name, ids[code], user.language)
        accounts[email] = await invite(
            conn, invitee, invited_by=user.user_id, base_url=base_url, now=now
        )
    keys = [(ids[v["ins_code"]], v["inner_id"]) for _, v in parsed.instruments]
    instruments = await store.instrument_ids(conn, keys)
    pairs = [
        (accounts[v["contact_email"].lower()], instruments[(ids[v["ins_code"]], v["inner_id"])])
        for _, v in parsed.instruments
        if v["contact_email"].lower() in accounts
    ]
    await store.add_managers(conn, pairs)
    return len(plan.invite)
