"""Registry files for the import tests, written the way other tools write them."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from service.registry import vocab

FIELDS = [name for name, _ in vocab.INSTRUMENT_FIELDS]


def registry_row(ins_code: str, inner_id: str, **values: str) -> dict[str, str]:
    row = dict.fromkeys(FIELDS, "")
    row.update(
        insCode=ins_code, innerId=inner_id, cname="透射电子显微镜", ename="TEM",
        instrCategory="010101", worth="1200.00", nation="JP", manufacturer="JEOL",
        beginDate="2018-06-01", type="通用", instrVersion="JEM-F200", technical="200 kV",
        function="高分辨成像", subject="430;140", status="正常", shareMode="外部共享",
        instrSource="购置", instrSupervise="否", city="长春市", province="吉林省",
    )  # fmt: skip
    row.update(values)
    return row


def csv_bytes(
    rows: Sequence[dict[str, str]], *, encoding: str = "utf-8-sig", header: Sequence[str] = ()
) -> bytes:
    names = list(header) or list(rows[0])
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=names, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: Sequence[dict[str, str]], formula_at: tuple[int, str] | None = None) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    names = list(rows[0])
    sheet.append(names)
    for row in rows:
        sheet.append([row[n] for n in names])
    if formula_at is not None:
        line, name = formula_at
        sheet.cell(row=line, column=names.index(name) + 1, value="=1+1")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
