"""``flask dialogues ...``: minutes PDF, approval, questions and addenda from the command line.

The same services as the screens, so the same rules apply (a locked dialogue refuses edits
here too). Errors print one line and exit non-zero; each command commits once.
"""
from __future__ import annotations

import hashlib
from contextlib import contextmanager
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from app.audit import set_cli_actor
from app.cli import run_service
from app.extensions import db
from app.models import User
from app.services import ServiceError, agency_by_code
from dialogues import services
from dialogues.access import can_manage
from dialogues.models import Dialogue, MinutesIssue, QuestionCategory, QuestionOrigin, RaiserKind

dialogues_cli = AppGroup("dialogues", help="Đối thoại chính sách: biên bản, ý kiến, đính chính.")


def _dialogue(dialogue_id: int) -> Dialogue:
    dialogue = db.session.get(Dialogue, dialogue_id)
    if dialogue is None:
        raise click.ClickException(f"Không có cuộc đối thoại số {dialogue_id}.")
    return dialogue


@contextmanager
def acting_as(username: str):
    """The named user, to whom the command's audit rows are attributed while it runs."""
    user = db.session.scalar(sa.select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise click.ClickException(f"Không có người dùng “{username}”.")
    set_cli_actor(user.id)
    try:
        yield user
    finally:
        set_cli_actor(None)


@dialogues_cli.command("minutes")
@click.argument("dialogue_id", type=int)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Tệp PDF sẽ ghi ra.")
@click.option("--version", "version", type=int, default=None, help="Bản phát hành (mặc định: bản mới nhất).")
def minutes(dialogue_id, out, version):
    """Write the minutes PDF: the issued version if approved, otherwise an unnumbered draft."""
    from dialogues.minutes import render_minutes

    dialogue = _dialogue(dialogue_id)
    issue = dialogue.current_issue
    if version is not None:
        issue = db.session.scalar(sa.select(MinutesIssue).where(MinutesIssue.dialogue_id == dialogue.id,
                                                                MinutesIssue.version == version))
        if issue is None:
            raise click.ClickException(f"Biên bản chưa có bản phát hành lần {version}.")
    data = services.read_issue(issue) if issue else render_minutes(dialogue)
    out.write_bytes(data)
    kind = f"bản phát hành lần {issue.version}, số {dialogue.minutes_number_text}" if issue else "dự thảo"
    click.echo(f"{out}\t{kind}\tSHA-256 {hashlib.sha256(data).hexdigest()}")


@dialogues_cli.command("approve")
@click.argument("dialogue_id", type=int)
@click.option("--user", "username", required=True, help="Cán bộ duyệt biên bản.")
@click.option("--note", default="")
def approve(dialogue_id, username, note):
    """Approve the minutes: allocate the number, lock the record, store the PDF."""
    dialogue = _dialogue(dialogue_id)
    with acting_as(username) as actor:
        if not can_manage(actor, dialogue):
            raise click.ClickException(f"Người dùng “{actor.username}” không quản lý cuộc đối thoại này.")
        issue = run_service(services.approve_minutes, dialogue, actor, note)
    click.echo(f"Đã duyệt biên bản số {dialogue.minutes_number_text}\tSHA-256 {issue.sha256}")


@dialogues_cli.command("add-question")
@click.argument("dialogue_id", type=int)
@click.option("--content", required=True, help="Nội dung ý kiến, kiến nghị.")
@click.option("--raised-by", "raised_by", default="", help="Người hoặc nhóm nêu ý kiến.")
@click.option("--group", is_flag=True, help="Người nêu là một nhóm, chi hội.")
@click.option("--anonymous", is_flag=True, help="Ý kiến không nêu tên.")
@click.option("--collected", is_flag=True, help="Thu thập trước hội nghị (chưa nêu tại hội nghị).")
@click.option("--category", "category_code", default=None, help="Mã lĩnh vực, ví dụ land, credit.")
@click.option("--agency", "agency_code", default=None, help="Mã cơ quan được hỏi.")
def add_question(dialogue_id, content, raised_by, group, anonymous, collected, category_code, agency_code):
    """Add a question at the end of a dialogue that is not locked."""
    dialogue = _dialogue(dialogue_id)

    def add():
        category = None
        if category_code:
            category = db.session.scalar(sa.select(QuestionCategory).where(QuestionCategory.code == category_code))
            if category is None:
                raise ServiceError(f"Không có lĩnh vực mã “{category_code}”.", "category")
        agency = agency_by_code(agency_code) if agency_code else None
        kind = RaiserKind.anonymous if anonymous else RaiserKind.group if group else RaiserKind.person
        return services.add_question(dialogue, services.QuestionRow(
            content=content, raiser_name=raised_by, raiser_kind=kind,
            origin=QuestionOrigin.collected if collected else QuestionOrigin.on_day, is_raised=not collected,
            category_id=category.id if category else None, agency_id=agency.id if agency else None), None)

    question = run_service(add)
    click.echo(f"Đã thêm ý kiến số {question.number}.")


@dialogues_cli.command("add-addendum")
@click.argument("dialogue_id", type=int)
@click.option("--text", required=True, help="Nội dung đính chính, bổ sung.")
@click.option("--user", "username", required=True)
def add_addendum(dialogue_id, text, username):
    """Add a dated correction to approved minutes and re-issue the PDF."""
    dialogue = _dialogue(dialogue_id)
    with acting_as(username) as actor:
        if not can_manage(actor, dialogue):
            raise click.ClickException(f"Người dùng “{actor.username}” không quản lý cuộc đối thoại này.")
        run_service(services.add_addendum, dialogue, text, actor)
    issue = dialogue.current_issue
    click.echo(f"Đã phát hành lại biên bản lần {issue.version}\tSHA-256 {issue.sha256}")


@dialogues_cli.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def verify(file):
    """Check a PDF copy against the issued minutes (exit 1 when it matches none)."""
    result = services.verify_copy(file.read_bytes(), sa.true())
    if not result.is_genuine:
        raise click.ClickException(f"Không khớp với biên bản nào đã phát hành (SHA-256 {result.sha256}).")
    for issue, intact in result.matches:
        state = "bản lưu còn nguyên vẹn" if intact else "CẢNH BÁO: bản lưu trên máy chủ đã bị thay đổi"
        click.echo(f"Khớp biên bản số {issue.dialogue.minutes_number_text}, bản phát hành lần {issue.version}, "
                   f"cuộc đối thoại {issue.dialogue_id} ({state}).")


@dialogues_cli.command("init-categories")
def init_categories():
    """Add the default question categories that are missing."""
    added = run_service(services.ensure_default_categories)
    click.echo(f"Đã thêm {added} lĩnh vực.")
