"""Reports of the imports: what a file holds, what is wrong with it, what was (or would be)
written."""

from __future__ import annotations

import msgspec

from service.onboarding.instrument_rows import RowIssue


class FileFacts(msgspec.Struct):
    name: str
    format: str
    encoding: str
    rows: int
    ignored_columns: list[str]


class InstrumentImportReport(msgspec.Struct):
    """A dry run says what an import would do; `applied` is true only when it was written.
    `errors` (line, field, value, reason) stop the import whole; `warnings` do not."""

    dry_run: bool
    applied: bool
    file: FileFacts
    errors: list[RowIssue]
    warnings: list[RowIssue]
    institutions_created: int
    instruments_created: int
    instruments_updated: int
    instruments_unchanged: int
    managers_matched: int
    managers_invited: int


class UserImportReport(msgspec.Struct):
    dry_run: bool
    applied: bool
    file: FileFacts
    errors: list[RowIssue]
    users_invited: int
    users_existing: int
