"""``flask surveys ...``: import and export the interchange workbook from the command line."""
from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from app import services as core
from app.audit import set_cli_actor
from app.extensions import db
from app.models import User
from surveys import services
from surveys.access import SURVEY_ROLES
from surveys.models import Training
from surveys.services.workbook import WorkbookError

surveys_cli = AppGroup("surveys", help="Tập huấn và khảo sát trước/sau.")


def _trainer(username: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.username == (username or "").strip().lower()))
    if user is None or not user.is_active:
        raise click.ClickException(f"Không có người dùng “{username}”.")
    if not user.has_role(*SURVEY_ROLES):
        raise click.ClickException(f"Người dùng “{username}” không có quyền quản lý tập huấn.")
    return user


@contextmanager
def acting_as(user: User):
    """Attribute the command's changes to ``user`` in the audit log, and only this command's."""
    set_cli_actor(user.id)
    try:
        yield user
    finally:
        set_cli_actor(None)


@surveys_cli.command("import-workbook")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--unit", "unit_code", required=True, help="Mã xã, phường (hoặc thôn) của lớp tập huấn.")
@click.option("--trainer", "username", required=True, help="Tên đăng nhập của người nhập.")
def import_workbook_command(file: Path, unit_code: str, username: str):
    """Create a training from an interchange workbook; prints {"training_id": N} last."""
    user = _trainer(username)
    with acting_as(user):
        with core.service_call(show=False) as call:
            unit = core.unit_by_code(unit_code)
            training = services.import_workbook(file.read_bytes(), user=user, unit=unit)
        if call.ok:
            db.session.commit()
    if isinstance(call.error, WorkbookError):
        for problem in call.error.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(f"Tệp có {len(call.error.problems)} lỗi, chưa lưu gì.")
    if call.error:
        raise click.ClickException(call.error.message)
    click.echo(json.dumps({"training_id": training.id}))


@surveys_cli.command("export-workbook")
@click.argument("training_id", type=int)
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--trainer", "username", required=True, help="Tên đăng nhập của người xuất (kiểm tra phạm vi).")
def export_workbook_command(training_id: int, file: Path, username: str):
    """Write a training (roster and answers) as an interchange workbook."""
    user = _trainer(username)
    training = db.session.get(Training, training_id)
    if training is None or not user.can_see_unit(training.unit):
        raise click.ClickException(f"Không có lớp tập huấn số {training_id} trong phạm vi của {user.username}.")
    with acting_as(user):
        file.write_bytes(services.export_workbook(training, user=user))
        db.session.commit()
    click.echo(str(file))


def register(app) -> None:
    app.cli.add_command(surveys_cli)
