"""One way to write a row into any workbook we export, safe against formula injection, and one way
to read a cell as the text a person typed.

A text typed by anyone (a phone answer, a participant's name, a topic) that starts with ``=``,
``+``, ``-``, ``@``, tab or CR would be a live formula once the workbook is opened, or become one
when a user edits the cell. Such texts are stored as text with Excel's quote prefix, so they are
shown, imported back and edited as the same text. Every XLSX writer appends through ``append_row``.
"""
from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def append_row(ws, values) -> None:
    """``ws.append(values)``, with every formula-like text kept as a plain string."""
    ws.append(list(values))
    for cell in ws[ws.max_row]:
        if is_formula_like(cell.value):
            cell.data_type = "s"
            cell.quotePrefix = True


def cell_text(value) -> str:
    """A cell as the text a person typed: empty for nothing, 12 for 12.0, spaces folded."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())
