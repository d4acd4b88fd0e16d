"""Workbook benchmark: a hostile workbook is refused before it is parsed.

A small upload (well under 1 MB) can unpack to hundreds of thousands of cells or rows. The import
screens the zip parts first (``surveys.services.workbook._check_parts``: counts tags in the raw XML,
stops at the limit) so a trainer's browser gets the refusal at once and a web worker is not tied up.
The baseline is what an import without the screen would do: openpyxl reading the same sheet in
read-only mode, cell by cell. Both measured in the same run (CPU time, alternately). The unit tests
(tests/surveys/test_surveys_workbook.py) check the refusal, its message and its memory; the speed is
checked here, as a ratio, not by a timed unit test.
"""
from __future__ import annotations

import io
import zipfile

from bench import CPU, paired_median_ms, row

# Measured on x86_64 (Dec 2026): the screen costs about 3-5 % of a read-only parse of the same file.
# 0.25x leaves room for noise and still fails if the screen ever parses the sheet.
SCREEN_VS_PARSE = 0.25

SHEET = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>%s</sheetData>'
         b'</worksheet>')


def _valid() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "training"
    book.active.append(["title", "Tập huấn"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _with_sheet(data: bytes, content: bytes) -> bytes:
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                target.writestr(item, source.read(item))
        target.writestr("xl/worksheets/sheet1.xml", content)
    return out.getvalue()


def hostile(kind: str) -> bytes:
    from openpyxl.utils import get_column_letter

    if kind == "rows":
        rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (i, i) for i in range(1, 100_001))
    else:
        rows = b"".join(b'<row r="%d">%s</row>' % (n, b"".join(
            b'<c r="%s%d"><v>1</v></c>' % (get_column_letter(i).encode(), n) for i in range(1, 16_001)))
            for n in range(1, 21))
    return _with_sheet(_valid(), SHEET % rows)


def run() -> list[dict]:
    from openpyxl import load_workbook

    from surveys.services.workbook import WorkbookError, _check_parts

    rows = []
    for kind, size in (("rows", "100,000 rows"), ("cells", "320,000 cells")):
        data = hostile(kind)
        assert len(data) < 1_000_000, len(data)

        def screen(data=data):
            try:
                _check_parts(data)
            except WorkbookError:
                return
            raise AssertionError("the hostile workbook was not refused")

        def parse(data=data):
            book = load_workbook(io.BytesIO(data), read_only=True)
            for _row in book["training"].iter_rows(values_only=True):
                pass
            book.close()

        screen_ms, parse_ms = paired_median_ms(screen, parse, repeat=5, warmup=1, clock=CPU)
        rows.append(row(f"hostile workbook ({size}, {len(data) // 1024} KB) refused vs parsed (time)",
                        screen_ms, parse_ms, max_ratio=SCREEN_VS_PARSE, unit="ms"))
    return rows
