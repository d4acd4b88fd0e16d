"""``flask community indicators --unit 19 [--preset year|h1|q1..q4] [--year 2026]``: the community
figures of a unit and period as JSON (unmasked: the command runs on the server);
``flask community topics``: seed the article's topic list."""
from __future__ import annotations

import json

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from app import clock
from app.extensions import db
from app.models import Unit
from community import indicators, services

community_cli = AppGroup("community", help="Tổ truyền thông, CLB Thủ lĩnh của sự thay đổi, địa chỉ tin cậy.")


@community_cli.command("indicators", help="In các chỉ số mô hình của một đơn vị trong một kỳ (JSON).")
@click.option("--unit", "unit_code", required=True, help="Mã đơn vị, ví dụ 19 hoặc 02020.")
@click.option("--preset", type=click.Choice(indicators.PRESETS), default="year", show_default=True)
@click.option("--year", type=click.IntRange(2000, 2100), default=None, help="Mặc định: năm nay.")
def indicators_command(unit_code: str, preset: str, year: int | None) -> None:
    unit = db.session.scalar(sa.select(Unit).where(Unit.code == unit_code.strip()))
    if unit is None:
        raise click.ClickException(f"Không có đơn vị mã “{unit_code}”.")
    period = indicators.preset_period(preset, year or clock.today().year)
    click.echo(json.dumps(indicators.compute(unit, period).to_json(), ensure_ascii=False, indent=2))


@community_cli.command("topics", help="Thêm các chủ đề truyền thông mặc định.")
def topics_command() -> None:
    services.seed_topics()
    db.session.commit()
    click.echo("OK")
