"""``flask indicators --unit 19 --from 2025-01-01 --to 2025-12-31``: the dashboard figures of a
unit over a period, printed as JSON: the same figures as the screen, the exports and the API, masked as they are
(``app.indicators.exports.published``): what the command prints may be passed on like them. ``--raw``
computes them from the raw rows instead of the rollups. ``flask indicators rebuild``: every rollup again
from the raw rows (``app.indicators.rollups``), after a bulk load that bypassed the application or to check."""
from __future__ import annotations

import json
import time

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from app.extensions import db
from app.indicators import rollups
from app.indicators.exports import published
from app.indicators.periods import Period
from app.indicators.targets import load_dashboard
from app.models import Unit
from app import clock


@click.group("indicators", invoke_without_command=True,
             help="In các chỉ số của một đơn vị trong một kỳ (JSON); “rebuild”: tính lại bảng tổng hợp.")
@click.option("--unit", "unit_code", help="Mã đơn vị, ví dụ 19 hoặc 02020.")
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), help="YYYY-MM-DD")
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), help="YYYY-MM-DD")
@click.option("--raw", is_flag=True, help="Tính từ dữ liệu gốc thay vì bảng tổng hợp.")
@click.pass_context
@with_appcontext
def indicators_command(ctx, unit_code: str | None, date_from, date_to, raw: bool) -> None:
    if ctx.invoked_subcommand is not None:
        return
    for value, option in ((unit_code, "--unit"), (date_from, "--from"), (date_to, "--to")):
        if not value:
            raise click.MissingParameter(ctx=ctx, param_hint=f"'{option}'", param_type="option")
    unit = db.session.scalar(sa.select(Unit).where(Unit.code == unit_code.strip()))
    if unit is None:
        raise click.ClickException(f"Không có đơn vị mã “{unit_code}”.")
    if date_from > date_to:
        raise click.ClickException("Ngày bắt đầu (--from) phải trước ngày kết thúc (--to).")
    dashboard = published(load_dashboard(unit, Period("custom", date_from.date(), date_to.date()), clock.today(),
                                         "raw" if raw else "rollups"))
    click.echo(json.dumps(dashboard.to_json(), ensure_ascii=False, indent=2))


@indicators_command.command("rebuild", help="Tính lại toàn bộ bảng tổng hợp chỉ số từ dữ liệu gốc.")
@with_appcontext
def rebuild_command() -> None:
    started = time.perf_counter()
    written = rollups.rebuild()
    db.session.commit()
    click.echo(f"Đã tính lại {written} dòng tổng hợp trong {time.perf_counter() - started:.1f} giây.")
