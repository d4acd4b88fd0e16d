"""``flask api-token create USERNAME`` (prints the token once), ``revoke ID`` and ``list``."""
from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from app.api import tokens
from app.api.models import ApiToken
from app.cli import run_service
from app.extensions import db
from app.models import User

api_token_cli = AppGroup("api-token", help="Khóa API cá nhân.")


@api_token_cli.command("create")
@click.argument("username")
@click.option("--name", default="", help="Tên gợi nhớ, ví dụ: “Báo cáo tỉnh”.")
@click.option("--days", type=int, default=None, help="Hết hạn sau số ngày này (mặc định: không hết hạn).")
def create_command(username: str, name: str, days: int | None):
    """Create a token for USERNAME and print it (shown only this once)."""
    user = db.session.scalar(sa.select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise click.ClickException(f"Không có người dùng “{username}”.")
    token, secret = run_service(tokens.create_token, user, name, days)
    click.echo(f"# id {token.id}, {token.name}: lưu khóa này ngay, nó không được hiển thị lại.", err=True)
    click.echo(secret)


@api_token_cli.command("revoke")
@click.argument("token_id", type=int)
def revoke_command(token_id: int):
    """Revoke token TOKEN_ID at once."""
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise click.ClickException(f"Không có khóa API số {token_id}.")
    run_service(tokens.revoke_token, token)
    click.echo(f"{token.id}\trevoked")


@api_token_cli.command("list")
@click.argument("username", required=False)
def list_command(username: str | None):
    """List tokens (id, user, prefix, name, state); never the secrets."""
    stmt = sa.select(ApiToken).join(ApiToken.user).order_by(ApiToken.id)
    if username:
        stmt = stmt.where(User.username == username.strip().lower())
    for token in db.session.scalars(stmt):
        state = "revoked" if token.is_revoked else "expired" if token.is_expired() else "active"
        click.echo(f"{token.id}\t{token.user.username}\tcn_{token.prefix}_…\t{state}\t{token.name}")
