"""``flask dialogues remind`` (cron, once a day) and ``flask dialogues indicators`` (JSON)."""
from __future__ import annotations

import json

import click

from app.extensions import db
from app.services import ServiceError, service_call, unit_by_code
from app import clock
from dialogues.cli import dialogues_cli
from dialogues.follow_up.indicators import followup_indicators
from dialogues.services import reminders

DATE = click.DateTime(["%Y-%m-%d"])


@dialogues_cli.command("remind")
@click.option("--date", "day", type=DATE, default=None, help="Ngày nhắc, YYYY-MM-DD (mặc định: hôm nay).")
def remind(day):
    """Send each agency its digest of overdue items and items due within 7 days.

    Commits after each agency (a sent e-mail is recorded at once); an agency whose mail fails
    is left for the next run and the command exits non-zero after trying the others."""
    today = clock.today()
    day = day.date() if day else today
    if day > today:
        # The run writes real reminder rows (that day's log and outbox): a future day would mark
        # commitments as reminded on a day that has not come, and the real run would skip them.
        raise click.ClickException(f"Ngày nhắc ({day:%d/%m/%Y}) không thể sau hôm nay ({today:%d/%m/%Y}).")
    written = emailed = 0
    failures = []
    for agency, items in reminders.due_by_agency(day).items():
        code = agency.code
        with service_call(show=False) as call:
            message = reminders.remind_agency(agency, items, day)
        if call.error:
            failures.append(f"{code}: {call.error.message}")
            continue
        db.session.commit()
        if message is not None:
            written += 1
            emailed += message.sent_dt is not None
            way = "e-mail" if message.sent_dt else "outbox"
            click.echo(f"{code}\t{message.item_count} mục ({message.overdue_count} quá hạn)\t{way}")
    click.echo(f"Ngày {day:%d/%m/%Y}: {written} bản nhắc việc, {emailed} gửi qua thư, "
               f"{written - emailed} trong hộp thư đi.")
    if failures:
        raise click.ClickException("Không gửi được: " + "; ".join(failures))


@dialogues_cli.command("indicators")
@click.option("--unit", "unit_code", required=True, help="Mã đơn vị, ví dụ 02020 hoặc 19.")
@click.option("--from", "date_from", type=DATE, required=True, help="YYYY-MM-DD")
@click.option("--to", "date_to", type=DATE, required=True, help="YYYY-MM-DD")
def indicators(unit_code, date_from, date_to):
    """Print the follow-up indicators of a unit (and the units below it) as JSON."""
    try:
        unit = unit_by_code(unit_code)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    if date_from > date_to:
        raise click.ClickException("--from phải trước hoặc bằng --to.")
    today = clock.today()
    figures = followup_indicators(unit, date_from.date(), date_to.date(), today=today)
    click.echo(json.dumps({"unit": unit.code, "date_from": date_from.date().isoformat(),
                           "date_to": date_to.date().isoformat(), "as_of": today.isoformat(), **figures},
                          ensure_ascii=False, indent=2))
