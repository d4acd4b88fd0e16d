"""``flask indicators --unit 19 --from 2025-01-01 --to 2025-12-31``: the dashboard figures of a
unit over a period, printed as JSON: the same figures as the screen, the exports and the API, masked as they are
(``app.indicators.exports.published``): what the command prints may be passed on like them."""
from __future__ import annotations

import json

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from app.extensions import db
from app.indicators.exports import published
from app.indicators.periods import Period
from app.indicators.targets import load_dashboard
from app.models import Unit
from app import clock


@click.command("indicators", help="In các chỉ số của một đơn vị trong một kỳ (JSON).")
@click.option("--unit", "unit_code", required=True, help="Mã đơn vị, ví dụ 19 hoặc 02020.")
@click.option("--from", "date_from", required=True, type=click.DateTime(["%Y-%m-%d"]), help="YYYY-MM-DD")
@click.option("--to", "date_to", required=True, type=click.DateTime(["%Y-%m-%d"]), help="YYYY-MM-DD")
@with_appcontext
def indicators_command(unit_code: str, date_from, date_to) -> None:
    unit = db.session.scalar(sa.select(Unit).where(Unit.code == unit_code.strip()))
    if unit is None:
        raise click.ClickException(f"Không có đơn vị mã “{unit_code}”.")
    if date_from > date_to:
        raise click.ClickException("Ngày bắt đầu (--from) phải trước ngày kết thúc (--to).")
    dashboard = published(load_dashboard(unit, Period("custom", date_from.date(), date_to.date()), clock.today()))
    click.echo(json.dumps(dashboard.to_json(), ensure_ascii=False, indent=2))
