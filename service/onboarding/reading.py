"""Turn an uploaded file (CSV or Excel .xlsx) into rows of text cells keyed by field name.

Pure: bytes in, rows and file-level problems out. Encodings: UTF-8 (with or without BOM),
UTF-16 with BOM, and GB18030 (the superset of GBK that old Excel versions write for Chinese);
a file that is none of these is refused rather than guessed. Headers may be the registry's
field names or its Chinese labels. A formula is never evaluated: in .xlsx a formula cell is
refused; in CSV a cell starting with `=` is, while a quote before `= + - @` (how our own CSV
exports neutralise such text) is removed again.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: At most this many data rows per file (the province has ~2,400 instruments, the nation 53,000).
MAX_ROWS = 60_000


class FileProblem(ValueError):
    """The file as a whole cannot be read: nothing of it is imported."""


@dataclass(slots=True)
class Sheet:
    format: str
    encoding: str
    #: (line number as a spreadsheet shows it, {field: text})
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    #: (line, field) of cells that held a formula
    formulas: list[tuple[int, str]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    #: the fields the header names
    columns: list[str] = field(default_factory=list)


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name) or FileProblem."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise FileProblem(
            "the file is neither UTF-8 nor GBK/GB18030; save it as “CSV UTF-8” and try again"
        ) from None
    if "\x00" in text:
        raise FileProblem("the file looks binary, not CSV text")
    return text, "gb18030"


def header_map(names: list[str], labels: dict[str, str]) -> tuple[dict[int, str], list[str]]:
    """Column index -> field name for the known headers; the unknown ones are listed."""
    known = {k.lower(): v for k, v in labels.items()}
    columns: dict[int, str] = {}
    ignored: list[str] = []
    for index, raw in enumerate(names):
        name = known.get(raw.strip().lower())
        if name is None:
            if raw.strip():
                ignored.append(raw.strip())
        elif name in columns.values():
            raise FileProblem(f"column {raw.strip()!r} appears twice")
        else:
            columns[index] = name
    return columns, ignored


def _unquote(cell: str) -> str:
    return cell[1:] if cell[:1] == "'" and cell[1:2] in ("=", "+", "-", "@") else cell


def read_csv(data: bytes, labels: dict[str, str]) -> Sheet:
    text, encoding = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise FileProblem("the file is empty") from None
    except csv.Error as exc:
        raise FileProblem(f"not a readable CSV file: {exc}") from None
    columns, ignored = header_map(header, labels)
    sheet = Sheet("csv", encoding, ignored_columns=ignored, columns=list(columns.values()))
    try:
        for cells in reader:
            _add_row(sheet, reader.line_num, cells, columns)
    except csv.Error as exc:
        raise FileProblem(f"line {reader.line_num}: not readable as CSV ({exc})") from None
    return sheet


def _add_row(sheet: Sheet, line: int, cells: list[str], columns: dict[int, str]) -> None:
    if not any(c.strip() for c in cells):
        return
    if len(sheet.rows) >= MAX_ROWS:
        raise FileProblem(f"more than {MAX_ROWS} rows; split the file")
    row: dict[str, str] = {}
    for index, name in columns.items():
        cell = cells[index].strip() if index < len(cells) else ""
        if cell.startswith("="):
            sheet.formulas.append((line, name))
        row[name] = _unquote(cell)
    sheet.rows.append((line, row))


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(Decimal(repr(value)))
    return str(value).strip()


def read_xlsx(data: bytes, labels: dict[str, str]) -> Sheet:
    """The first worksheet; formulas are reported, never computed."""
    from openpyxl import load_workbook

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise FileProblem("not an Excel .xlsx file (an old .xls must be saved as .xlsx or CSV)")
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise FileProblem(f"not a readable .xlsx file ({type(exc).__name__})") from None
    sheet_in = book.worksheets[0]
    rows = sheet_in.iter_rows()
    header = next(rows, None)
    if header is None:
        raise FileProblem("the worksheet is empty")
    columns, ignored = header_map([_cell_text(c.value) for c in header], labels)
    sheet = Sheet("xlsx", "xlsx", ignored_columns=ignored, columns=list(columns.values()))
    for line, cells in enumerate(rows, start=2):
        texts: list[str] = []
        for index, cell in enumerate(cells):
            if cell.data_type == "f" and index in columns:
                sheet.formulas.append((line, columns[index]))
                texts.append("")
            else:
                texts.append(_cell_text(cell.value))
        _add_row(sheet, line, texts, columns)
    book.close()
    return sheet


def read(data: bytes, labels: dict[str, str], *, name: str = "", media_type: str = "") -> Sheet:
    """Pick the reader from the name or media type; a zip archive is taken as .xlsx."""
    if not data.strip():
        raise FileProblem("the file is empty")
    xlsx = name.lower().endswith(".xlsx") or media_type.startswith(XLSX_MEDIA)
    if xlsx or data[:4] == b"PK\x03\x04":
        return read_xlsx(data, labels)
    return read_csv(data, labels)
