"""CSV exports: UTF-8 with a byte-order mark, so spreadsheet programs show Chinese correctly."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

import msgspec

BOM = "\ufeff"
#: The framework appends `; charset=utf-8` to text types.
MEDIA_TYPE = "text/csv"


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") and not _numeric(value):
        # A leading formula character would be run by the spreadsheet: neutralise it.
        return "'" + value
    return value


def _numeric(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def lines(header: Sequence[str], rows: Iterable[Sequence[Any]], bom: bool = True) -> Iterable[str]:
    """The CSV text in pieces: the BOM and header first, then one line per row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    yield (BOM if bom else "") + buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_cell(v) for v in row])
        yield buffer.getvalue()


def structs_to_csv(items: Sequence[msgspec.Struct], header: Sequence[str]) -> bytes:
    """Whole-table CSV of structs whose encoded field names are `header`."""
    rows = ([msgspec.to_builtins(item).get(name) for name in header] for item in items)
    return "".join(lines(header, rows)).encode("utf-8")


def disposition(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}
