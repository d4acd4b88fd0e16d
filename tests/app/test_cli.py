"""The exact CLI forms administrators and scripted checks rely on."""
import sqlalchemy as sa

from app.models import Agency, AuditLog, Person, Unit, UnitLevel, User


def test_units_load_gives_the_official_list(runner, db):
    result = runner.invoke(args=["units", "load"])
    assert result.exit_code == 0, result.output
    count = lambda level: db.session.scalar(sa.select(sa.func.count(Unit.id)).where(Unit.level == level))
    assert count(UnitLevel.province) == 34
    assert count(UnitLevel.commune) == 3321
    thai_nguyen = db.session.scalar(sa.select(Unit).where(Unit.code == "19"))
    cho_don = db.session.scalar(sa.select(Unit).where(Unit.code == "02020"))
    assert thai_nguyen.name == "Thái Nguyên" and cho_don.name == "Xã Chợ Đồn"
    assert cho_don.parent_id == thai_nguyen.id and thai_nguyen.contains(cho_don)
    # idempotent: a second load creates nothing
    again = runner.invoke(args=["units", "load"])
    assert again.exit_code == 0 and "(0 mới" in again.output
    assert count(UnitLevel.commune) == 3321


def test_users_create_exact_form(runner, db, units, create_agency):
    create_agency("UBND-02020", units["02020"])
    ok = runner.invoke(args=["users", "create", "ubnd1", "--role", "authority", "--unit", "02020",
                             "--agency", "UBND-02020", "--password", "abc12345"])
    assert ok.exit_code == 0, ok.output
    user = db.session.scalar(sa.select(User).where(User.username == "ubnd1"))
    assert user.agency.code == "UBND-02020" and user.unit.code == "02020"


def test_cli_errors_are_one_clear_line_and_non_zero(runner, db, units):
    cases = [
        (["users", "create", "xa1", "--role", "trainer", "--unit", "nope", "--password", "abc12345"],
         "Không có đơn vị hành chính mã “nope”"),
        (["users", "create", "xa1", "--role", "trainer", "--unit", "19", "--password", "short"],
         "ít nhất 8 ký tự"),
        (["users", "create", "xa1", "--role", "authority", "--unit", "19", "--password", "abc12345"],
         "phải thuộc một cơ quan"),
        (["agencies", "create", "A1", "--name", "Ủy ban", "--unit", "zzz"], "Không có đơn vị hành chính mã"),
    ]
    for args, message in cases:
        result = runner.invoke(args=args)
        assert result.exit_code != 0
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert len(lines) == 1 and message in lines[0], result.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Agency.id))) == 0


def test_agencies_create_and_duplicate(runner, db, units):
    assert runner.invoke(args=["agencies", "create", "UB1", "--name", "Ủy ban xã", "--unit", "02020"]).exit_code == 0
    dup = runner.invoke(args=["agencies", "create", "UB1", "--name", "Khác", "--unit", "02020"])
    assert dup.exit_code != 0 and "đã tồn tại" in dup.output


def test_village_codes_live_under_their_commune(runner, db, units):
    result = runner.invoke(args=["units", "add-village", "02020", "Nà Pài", "--type", "bản"])
    assert result.exit_code == 0
    assert result.output.startswith("02020-")


def test_demo_load_is_idempotent(runner, db, app):
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    counts = lambda: (db.session.scalar(sa.select(sa.func.count(User.id))),
                      db.session.scalar(sa.select(sa.func.count(Person.id))),
                      db.session.scalar(sa.select(sa.func.count(Agency.id))))
    after_first = counts()
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert counts() == after_first
    ban_ca = db.session.scalar(sa.select(Unit).where(Unit.name == "Bản Ca"))
    assert ban_ca.parent.code == "02020"
    skipped = runner.invoke(args=["demo", "load", "--if-empty"])
    assert "bỏ qua" in skipped.output


def test_demo_is_never_loaded_in_production(runner, db, app, monkeypatch):
    monkeypatch.setitem(app.config, "APP_ENV", "production")
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code != 0
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_cli_changes_are_audited(runner, db, units):
    runner.invoke(args=["agencies", "create", "UB1", "--name", "Ủy ban xã", "--unit", "02020"])
    row = db.session.scalar(sa.select(AuditLog).where(AuditLog.object_type == "Agency"))
    assert row.action == "create" and row.source == "cli" and row.after["code"] == "UB1"


def test_old_units_are_kept_inactive(runner, db, units):
    result = runner.invoke(args=["units", "deactivate", "02086", "--date", "2025-06-30"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert not units["02086"].is_active and units["02086"].valid_to.isoformat() == "2025-06-30"
    assert units["19"].contains(units["na_nguoc"])  # its records stay in the province's scope


def test_moving_a_unit_moves_its_subtree(runner, db, units):
    result = runner.invoke(args=["units", "move", "02020", "08"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert units["08"].contains(units["ban_ca"]) and not units["19"].contains(units["ban_ca"])
    refused = runner.invoke(args=["units", "move", "19", "02086"])
    assert refused.exit_code != 0 and "bên dưới chính nó" in refused.output
