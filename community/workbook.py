"""The activity workbook of a commune's month: a template to fill in Excel, and its import.

Sheet ``hoat_dong``: one activity a row, columns ``COLUMNS``; sheet ``danh_muc`` lists the
commune's teams, the topics and the forms to choose from. The import is all-or-nothing through
``community.services.save_activity_rows``: every problem is reported with its row and column.
Every string written goes through ``safe_cell`` (formula injection: a cell beginning with
= + - @ is stored as text, never as a formula).
"""
from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from app.forms import undrawable_message
from app.xlsx import cell_text
from app.clock import parse_date
from app.extensions import db
from app.models import Unit
from community import labels
from community.models import ActivityForm, ActivityHost, ActivityTopic, Team
from community.services import ActivityData, GridError

SHEET, LISTS = "hoat_dong", "danh_muc"
COLUMNS = ("to", "ngay", "chu_de", "hinh_thuc", "tong_so", "nu", "dtts", "tre_em", "ghi_chu")
MAX_ROWS = 2000
FORMULA_START = ("=", "+", "-", "@")


def safe_cell(cell, value) -> None:
    """Write ``value`` into an openpyxl cell; text that Excel would read as a formula stays text."""
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell.data_type = "s"


def _append(ws, values) -> None:
    row = ws.max_row + 1 if ws.max_row > 1 or ws.cell(1, 1).value is not None else 1
    for column, value in enumerate(values, start=1):
        safe_cell(ws.cell(row=row, column=column), value)


def commune_teams(commune: Unit) -> list[Team]:
    return list(db.session.scalars(sa.select(Team).where(commune.subtree_filter(Team.unit_id))
                                   .order_by(Team.name)))


def write_template(commune: Unit, month: date) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    _append(ws, list(COLUMNS))
    teams = [t for t in commune_teams(commune) if t.is_active]
    for team in teams:
        _append(ws, [team.name, month.strftime("%d/%m/%Y"), "", "", None, None, None, None, ""])
    for letter, width in zip("ABCDEFGHI", (30, 12, 40, 18, 9, 9, 9, 9, 30)):
        ws.column_dimensions[letter].width = width
    lists = wb.create_sheet(LISTS)
    _append(lists, ["to", "chu_de", "hinh_thuc"])
    topics = db.session.scalars(sa.select(ActivityTopic.name).where(ActivityTopic.is_active)
                                .order_by(ActivityTopic.position)).all()
    forms = [str(label) for label in labels.ACTIVITY_FORMS.values()]
    for i in range(max(len(teams), len(topics), len(forms))):
        _append(lists, [teams[i].name if i < len(teams) else "", topics[i] if i < len(topics) else "",
                        forms[i] if i < len(forms) else ""])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _count(value):
    if value is None or cell_text(value) == "":
        return 0
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) and float(value).is_integer():
        return int(value)
    text = cell_text(value)
    return int(text) if text.isdigit() and len(text) <= 7 else None


def _day(value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return parse_date(cell_text(value))


def read_rows(data: bytes, commune: Unit) -> list[tuple[int, ActivityData]]:
    """The workbook's rows as activities of ``commune``'s teams; GridError with every problem."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    if not data:
        raise GridError([(0, "file", _("Tệp rỗng."))])
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError, TypeError):
        raise GridError([(0, "file", _("Tệp không phải là tệp Excel .xlsx hợp lệ."))]) from None
    if SHEET not in wb.sheetnames:
        raise GridError([(0, "file", _("Thiếu trang “%(sheet)s”.", sheet=SHEET))])
    ws = wb[SHEET]
    header = [cell_text(v).lower() for v in next(ws.iter_rows(min_row=1, max_row=1, values_only=True), ())]
    missing = [c for c in COLUMNS[:5] if c not in header]
    if missing:
        raise GridError([(1, c, _("Thiếu cột “%(column)s”.", column=c)) for c in missing])
    at = {name: header.index(name) for name in COLUMNS if name in header}
    teams = {t.name.casefold(): t for t in commune_teams(commune)}
    topics = {t.name.casefold(): t.id for t in db.session.scalars(sa.select(ActivityTopic))}
    forms = {str(label).casefold(): form for form, label in labels.ACTIVITY_FORMS.items()}
    forms.update({form.value: form for form in ActivityForm})
    rows, problems = [], []
    for number, values in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        if number > MAX_ROWS + 1:
            problems.append((number, "file", _("Quá %(n)d dòng.", n=MAX_ROWS)))
            break

        def cell(name):
            return values[at[name]] if name in at and at[name] < len(values) else None
        if not any(cell_text(cell(c)) for c in ("chu_de", "hinh_thuc", "tong_so")):
            continue  # a template row left empty
        team = teams.get(cell_text(cell("to")).casefold())
        if team is None:
            problems.append((number, "to", _("Không có tổ “%(name)s” ở xã này.", name=cell_text(cell("to")))))
            continue
        counts = {name: _count(cell(name)) for name in ("tong_so", "nu", "dtts", "tre_em")}
        for name, value in counts.items():
            if value is None:
                problems.append((number, name, _("Hãy nhập một số nguyên không âm.")))
        if any(v is None for v in counts.values()):
            continue
        if (message := undrawable_message(cell_text(cell("ghi_chu")))) is not None:
            problems.append((number, "ghi_chu", str(message)))
            continue
        rows.append((number, ActivityData(
            held_on=_day(cell("ngay")), topic_id=topics.get(cell_text(cell("chu_de")).casefold()),
            form=forms.get(cell_text(cell("hinh_thuc")).casefold()), participants_total=counts["tong_so"],
            participants_women=counts["nu"], participants_minority=counts["dtts"],
            participants_children=counts["tre_em"], host=ActivityHost.team, team=team,
            note=cell_text(cell("ghi_chu"))[:300])))
    wb.close()
    from community.services import check_activity

    for number, data in rows:
        problems.extend((number, field, message) for field, message in check_activity(data))
    if problems:
        raise GridError(sorted(problems, key=lambda p: p[0]))
    if not rows:
        raise GridError([(0, "file", _("Tệp không có dòng hoạt động nào."))])
    return rows
