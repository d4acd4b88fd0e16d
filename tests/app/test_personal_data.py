"""Login throttling, erasure that keeps statistics, retention, export access log."""
from datetime import timedelta

import sqlalchemy as sa

from app import services, throttle
from app.models import AuditLog, Consent, ExportLog, LoginAttempt, Person, Role, utcnow


def test_account_is_throttled_with_backoff(client, create_user, db):
    user = create_user(Role.trainer, "02020")
    for _ in range(throttle.FREE_TRIES):
        assert client.post("/login", data={"username": user.username, "password": "wrong-pw1"}).status_code == 200
    blocked = client.post("/login", data={"username": user.username, "password": "secret123"})
    assert blocked.status_code == 429
    assert "thử lại sau" in blocked.get_data(as_text=True)
    # the right password is refused while the wait runs, and nothing is logged in
    assert client.get("/home").status_code == 302


def test_throttle_wait_grows_and_expires(db):
    for _ in range(throttle.FREE_TRIES):
        throttle.record_failure("lan", "10.0.0.1")
    first = throttle.seconds_to_wait("lan", "10.0.0.2")
    throttle.record_failure("lan", "10.0.0.1")
    second = throttle.seconds_to_wait("lan", "10.0.0.2")
    assert 0 < first <= throttle.BASE_WAIT + 1 and second > first
    db.session.execute(sa.update(LoginAttempt).values(created_dt=utcnow() - timedelta(minutes=16)))
    assert throttle.seconds_to_wait("lan", "10.0.0.2") == 0


def test_address_is_throttled_across_accounts(db):
    for i in range(throttle.FREE_TRIES_ADDRESS):
        throttle.record_failure(f"user{i}", "10.0.0.9")
    assert throttle.seconds_to_wait("someone-new", "10.0.0.9") > 0
    assert throttle.seconds_to_wait("someone-new", "10.0.0.10") == 0


def test_success_clears_the_account_failures(client, create_user, db):
    user = create_user(Role.trainer, "02020")
    client.post("/login", data={"username": user.username, "password": "wrong-pw1"})
    assert client.post("/login", data={"username": user.username, "password": "secret123"}).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(LoginAttempt.id))) == 0


def test_erasure_removes_identity_everywhere_but_keeps_the_record(client, login_as, db, create_person):
    person = create_person(full_name="Triệu Thị Lan", phone="0912345678", birth_year=1988, code="CD-001")
    services.give_consent(person, "caunoi")
    db.session.commit()
    login_as(Role.commune, "02020")
    response = client.post(f"/people/{person.id}/erase", data={"confirm": "yes"})
    assert response.status_code == 302
    db.session.expire_all()
    person = db.session.get(Person, person.id)
    assert person.erased_dt and "Triệu" not in person.full_name and person.phone is None and person.code != "CD-001"
    assert person.birth_year == 1988 and person.sex is not None  # statistics keep their inputs
    assert not person.has_consent("caunoi")
    logs = db.session.scalars(sa.select(AuditLog).where(AuditLog.object_type == "Person")).all()
    assert logs and all("Triệu" not in str(r.before) + str(r.after) for r in logs)
    assert all("0912345678" not in str(r.before) + str(r.after) for r in logs)
    assert "Triệu Thị Lan" not in client.get("/people/").get_data(as_text=True)


def test_erasure_needs_confirmation(client, login_as, db, create_person):
    person = create_person(full_name="Triệu Thị Lan")
    login_as(Role.commune, "02020")
    client.post(f"/people/{person.id}/erase", data={})
    db.session.expire_all()
    assert db.session.get(Person, person.id).erased_dt is None


def test_trainer_cannot_erase(client, login_as, create_person):
    person = create_person()
    login_as(Role.trainer, "02020")
    assert client.post(f"/people/{person.id}/erase", data={"confirm": "yes"}).status_code == 403


def test_retention_lists_then_erases(runner, db, create_person):
    old = create_person(full_name="Người cũ")
    withdrawn = create_person(full_name="Đã rút")
    keep = create_person(full_name="Còn đồng ý")
    old.created_dt = utcnow() - timedelta(days=365 * 6)
    services.give_consent(withdrawn, "caunoi")
    services.withdraw_consent(withdrawn, "caunoi")
    services.give_consent(keep, "caunoi")
    db.session.commit()
    listed = runner.invoke(args=["people", "retention", "--years", "5"])
    assert "2 due" in listed.output
    assert db.session.scalar(sa.select(sa.func.count(Person.id)).where(Person.erased_dt.is_not(None))) == 0
    applied = runner.invoke(args=["people", "retention", "--years", "5", "--apply"])
    assert "2 erased" in applied.output
    db.session.expire_all()
    assert {p.full_name for p in db.session.scalars(sa.select(Person).where(Person.erased_dt.is_(None)))} == {"Còn đồng ý"}


def test_export_log_records_who_exported_what(db, create_user):
    user = create_user(Role.province, "19")
    services.log_export(user, "training_xlsx", "Training", 7, has_names=True, rows=30)
    row = db.session.scalar(sa.select(ExportLog))
    assert row.user_id == user.id and row.has_names and row.rows == 30


def test_erasure_scrubs_the_guardian_from_consent_and_audit(client, login_as, db, create_person):
    person = create_person(full_name="Lò Thị Na", birth_year=2014, code="CD-002")
    services.give_consent(person, "caunoi", guardian_name="Lò Văn Páo")
    db.session.commit()
    login_as(Role.commune, "02020")
    assert client.post(f"/people/{person.id}/erase", data={"confirm": "yes"}).status_code == 302
    db.session.expire_all()
    assert [c.guardian_name for c in db.session.get(Person, person.id).consents] == [None]
    rows = db.session.scalars(sa.select(AuditLog)).all()
    assert any(r.object_type == "Consent" for r in rows)
    assert not [r for r in rows if "Lò Văn Páo" in str(r.before) + str(r.after)]
    assert not [r for r in rows if "Lò Thị Na" in str(r.before) + str(r.after) or "CD-002" in str(r.after)]


def test_unknown_and_known_users_cost_the_same_hash(client, create_user, db, monkeypatch):
    """No user enumeration by timing: an unknown username is checked against a dummy hash."""
    import app.auth

    calls = []
    real = app.auth.check_password_hash
    monkeypatch.setattr(app.auth, "check_password_hash", lambda h, p: calls.append(h.split("$")[0]) or real(h, p))
    user = create_user(Role.trainer, "02020")
    for name in ("no-such-user", user.username):
        page = client.post("/login", data={"username": name, "password": "wrong-pw1"})
        assert page.status_code == 200 and "Tên đăng nhập hoặc mật khẩu không đúng." in page.get_data(as_text=True)
    assert len(calls) == 2 and calls[0] == calls[1] == user.password_hash.split("$")[0]


def test_guessing_does_not_lock_out_a_browser_that_logged_in_before(app, client, create_user, db):
    user = create_user(Role.trainer, "02020")
    assert client.post("/login", data={"username": user.username, "password": "secret123"}).status_code == 302
    client.post("/logout")
    attacker = app.test_client()
    for _ in range(throttle.FREE_TRIES + 2):
        attacker.post("/login", data={"username": user.username, "password": "wrong-pw1"},
                      environ_base={"REMOTE_ADDR": "203.0.113.9"})
    blocked = attacker.post("/login", data={"username": user.username, "password": "secret123"},
                            environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert blocked.status_code == 429
    # A new browser of the owner waits too, but her own browser (known-login cookie) gets in.
    assert app.test_client().post("/login", data={"username": user.username, "password": "secret123"}).status_code == 429
    assert client.post("/login", data={"username": user.username, "password": "secret123"}).status_code == 302


def test_admin_unlocks_an_account(client, login_as, create_user, db, runner):
    user = create_user(Role.trainer, "02020")
    for _ in range(throttle.FREE_TRIES):
        throttle.record_failure(user.username, "203.0.113.9")
    db.session.commit()
    login_as(Role.admin, "VN")
    page = client.get(f"/admin/users/{user.id}/edit").get_data(as_text=True)
    assert "Mở khóa đăng nhập" in page
    assert client.post(f"/admin/users/{user.id}/unlock").status_code == 302
    assert throttle.seconds_to_wait(user.username, "198.51.100.1") == 0
    assert "Mở khóa đăng nhập" not in client.get(f"/admin/users/{user.id}/edit").get_data(as_text=True)
    throttle.record_failure("lan", "10.0.0.1")
    db.session.commit()
    result = runner.invoke(args=["users", "unlock", "LAN"])
    assert result.exit_code == 0 and "1 failed logins cleared" in result.output


def test_a_consent_given_twice_at_once_stays_one_and_the_request_goes_on(db, create_person):
    """Two officers tick "đồng ý" for the same person at the same moment: the second insert meets
    the unique index of active consents; the first consent stands, and the session is still usable
    (a savepoint, so no 500 and nothing else of the request is lost)."""
    person = create_person(full_name="Lò Thị Dung")
    db.session.commit()
    first = services.give_consent(person, "caunoi")
    second = services.give_consent(person, "caunoi")  # what a concurrent request's insert meets
    assert second.id == first.id
    person.phone = "0912000111"  # the rest of the request still writes
    db.session.commit()
    rows = db.session.scalars(sa.select(Consent).where(Consent.person_id == person.id)).all()
    assert len(rows) == 1 and rows[0].is_active and person.has_consent("caunoi")
    assert db.session.get(Person, person.id).phone == "0912000111"
