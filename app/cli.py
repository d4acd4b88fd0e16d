"""Flask commands shared by all features: units, agencies, users, demo data.

Errors print one clear line and exit non-zero; each command commits once at the end.
"""
from __future__ import annotations

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from app import services
from app.extensions import db
from app.models import Role

units_cli = AppGroup("units", help="Đơn vị hành chính.")
agencies_cli = AppGroup("agencies", help="Cơ quan trả lời kiến nghị.")
users_cli = AppGroup("users", help="Người dùng.")
demo_cli = AppGroup("demo", help="Dữ liệu mẫu.")
people_cli = AppGroup("people", help="Người tham gia và dữ liệu cá nhân.")


def run_service(fn, *args, **kwargs):
    """Call a service and commit; on a broken rule (its writes undone) exit with its message."""
    with services.service_call(show=False) as call:
        result = fn(*args, **kwargs)
    if call.error:
        raise click.ClickException(call.error.message)
    try:
        db.session.commit()
    except sa.exc.DBAPIError as exc:  # a check deferred to the commit (PostgreSQL)
        db.session.rollback()
        refusal = services.database_refusal(exc)
        if refusal is None:
            raise
        raise click.ClickException(refusal.message) from None
    return result


@units_cli.command("load")
def units_load():
    """Load or refresh the official list (34 provinces, 3,321 communes)."""
    stats = run_service(services.load_official_units)
    click.echo(f"{stats['provinces']} tỉnh/thành, {stats['communes']} xã/phường/đặc khu "
               f"({stats['created']} mới, {stats['updated']} cập nhật).")


@units_cli.command("add-village")
@click.argument("commune_code")
@click.argument("name")
@click.option("--type", "division_type", default="thôn", show_default=True)
def units_add_village(commune_code, name, division_type):
    """Add a village (thôn, bản, tổ dân phố) under a commune."""
    unit = run_service(lambda: services.create_unit(services.unit_by_code(commune_code), name, division_type))
    click.echo(f"{unit.code}\t{unit.name}")


@units_cli.command("deactivate")
@click.argument("code")
@click.option("--date", "valid_to", type=click.DateTime(["%Y-%m-%d"]), default=None, help="YYYY-MM-DD")
def units_deactivate(code, valid_to):
    """Keep an old unit (and its records) but mark it no longer active."""
    run_service(lambda: services.deactivate_unit(services.unit_by_code(code), valid_to.date() if valid_to else None))
    click.echo(f"{code}\tinactive")


@units_cli.command("move")
@click.argument("code")
@click.argument("new_parent_code")
def units_move(code, new_parent_code):
    """Move a unit (with everything below it) under another parent, e.g. after a merger."""
    run_service(lambda: services.move_unit(services.unit_by_code(code), services.unit_by_code(new_parent_code)))
    click.echo(f"{code}\t-> {new_parent_code}")


@agencies_cli.command("create")
@click.argument("code")
@click.option("--name", required=True)
@click.option("--unit", "unit_code", required=True)
def agencies_create(code, name, unit_code):
    agency = run_service(lambda: services.create_agency(code, name, services.unit_by_code(unit_code)))
    click.echo(f"{agency.code}\t{agency.name}")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--unit", "unit_code", required=True)
@click.option("--agency", "agency_code", default=None)
@click.option("--password", required=True)
@click.option("--name", "full_name", default="")
def users_create(username, role, unit_code, agency_code, password, full_name):
    def create():
        agency = services.agency_by_code(agency_code) if agency_code else None
        return services.create_user(username, password, Role(role), services.unit_by_code(unit_code), agency,
                                    full_name)
    user = run_service(create)
    click.echo(f"{user.username}\t{user.role.value}\t{user.unit.code}")


@users_cli.command("unlock")
@click.argument("username")
def users_unlock(username):
    """Clear an account's failed logins, so its owner may log in at once."""
    from app import throttle

    click.echo(f"{run_service(throttle.clear, username.strip().lower())} failed logins cleared")


@people_cli.command("erase")
@click.argument("code")
def people_erase(code):
    """Erase a person's identity (name, phone, code); statistics keep the anonymous record."""
    from sqlalchemy import select

    from app.models import Person

    person = db.session.scalar(select(Person).where(Person.code == code))
    if person is None:
        raise click.ClickException(f"Không có người tham gia mã “{code}”.")
    run_service(services.erase_person, person)
    click.echo(f"{code}\terased")


@people_cli.command("retention")
@click.option("--years", type=int, default=None, help="Mặc định: RETENTION_YEARS.")
@click.option("--apply", "apply_", is_flag=True, help="Xóa thật; không có cờ này chỉ liệt kê.")
def people_retention(years, apply_):
    """List (or with --apply erase) people past the retention period or whose consent was withdrawn."""
    years = years if years is not None else current_app.config["RETENTION_YEARS"]
    due = services.people_past_retention(years)
    for person in due:
        click.echo(f"{person.code}\t{person.created_dt:%Y-%m-%d}")
        if apply_:
            services.erase_person(person)
    db.session.commit()
    click.echo(f"{len(due)} {'erased' if apply_ else 'due'}")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Chỉ nạp khi cơ sở dữ liệu chưa có người dùng.")
def demo_load(if_empty):
    """Load the demo data from the seed article (idempotent)."""
    from app import demo

    if current_app.config["APP_ENV"] == "production":
        raise click.ClickException("Không nạp dữ liệu mẫu khi APP_ENV=production.")
    if if_empty and not demo.is_empty():
        click.echo("Đã có dữ liệu; bỏ qua dữ liệu mẫu.")
        return
    run_service(demo.load_all)
    click.echo(f"Đã nạp dữ liệu mẫu. Mật khẩu mẫu: {demo.DEMO_PASSWORD}")




@click.command("export-all")
@click.argument("directory", type=click.Path(file_okay=False))
def export_all(directory):
    """Export every table (JSON Lines) and the storage folder into a new DIRECTORY."""
    from pathlib import Path

    from app import backup

    try:
        manifest = backup.export_all(Path(directory))
    except (backup.BackupError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Đã xuất {sum(manifest['row_counts'].values())} dòng, {len(manifest['tables'])} bảng "
               f"(phiên bản {manifest['alembic_revision']}) vào {directory}.")


@click.command("import-all")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
def import_all(directory):
    """Restore an export-all DIRECTORY into an empty database at the same migration revision."""
    from pathlib import Path

    import sqlalchemy as sa

    from app import backup

    try:
        counts = backup.import_all(Path(directory))
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    except (sa.exc.SQLAlchemyError, OSError) as exc:
        raise click.ClickException(f"Nhập dữ liệu thất bại, không có gì thay đổi: {exc}".splitlines()[0]) from None
    click.echo(f"Đã nhập {sum(counts.values())} dòng, {len(counts)} bảng.")


def register_cli(app) -> None:
    for group in (units_cli, agencies_cli, users_cli, demo_cli, people_cli, export_all, import_all):
        app.cli.add_command(group)
