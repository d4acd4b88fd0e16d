"""Concurrent writes on the core: a duplicate raced by 50 requests is stored once and the others
get the form's clear message; 50 different records are all stored. Never a 5xx."""
import sqlalchemy as sa

from concurrency import fire, statuses

from app.models import Agency, Role

N = 50


def post_agency(code_of):
    def send(client, i):
        return client.post("/admin/agencies/new", data={"code": code_of(i), "name": f"Cơ quan {i}",
                                                        "unit_code": "02020"})
    return send


def test_same_agency_code_raced_is_stored_once(app, client, db, login_as):
    login_as(Role.province, "19")
    results = fire(app, N, post_agency(lambda i: "UB-RACE"), cookies_from=client)
    assert statuses(results) == {302: 1, 200: N - 1}
    assert all("Mã cơ quan “UB-RACE” đã tồn tại." in r.body for r in results if r.status == 200)
    assert db.session.scalar(sa.select(sa.func.count(Agency.id))) == 1


def test_different_agencies_sent_together_are_all_stored(app, client, db, login_as):
    login_as(Role.province, "19")
    results = fire(app, N, post_agency(lambda i: f"UB-{i:02d}"), cookies_from=client)
    assert statuses(results) == {302: N}
    codes = db.session.scalars(sa.select(Agency.code)).all()
    assert sorted(codes) == [f"UB-{i:02d}" for i in range(N)]


# --- logins: the password hash (slow by design) holds no write lock -------------------------------

def _hashing_together(monkeypatch, n: int) -> list[int]:
    """check_password_hash waits until ``n`` logins are inside it at once (or fails after a few
    seconds): it can only pass if no login holds SQLite's write lock while it hashes. Returns the
    list of how many were hashing when each one passed."""
    import threading

    from app import auth

    real, barrier, inside, lock = auth.check_password_hash, threading.Barrier(n, timeout=10), [0], threading.Lock()
    seen = []

    def check(hashed, password):
        with lock:
            inside[0] += 1
        barrier.wait()  # threading.BrokenBarrierError (a 500) if the others are kept out
        seen.append(inside[0])
        return real(hashed, password)

    monkeypatch.setattr(auth, "check_password_hash", check)
    return seen


def test_logins_sent_together_check_their_passwords_at_the_same_time(app, db, create_user, monkeypatch):
    from datetime import datetime

    from app.models import User

    names = [create_user(Role.commune, "02020").username for _ in range(4)]
    seen = _hashing_together(monkeypatch, 4)
    results = fire(app, 4, lambda c, i: c.post("/login", data={"username": names[i], "password": "secret123"}))
    assert statuses(results) == {302: 4} and seen == [4, 4, 4, 4]
    db.session.expire_all()
    assert all(isinstance(u.last_login_dt, datetime) for u in db.session.scalars(sa.select(User)))  # written after


def test_failed_logins_sent_together_are_all_counted_and_the_limit_holds(app, db, create_user, monkeypatch):
    from app import throttle
    from app.models import LoginAttempt

    name = create_user(Role.commune, "02020").username
    n = throttle.FREE_TRIES + 2
    seen = _hashing_together(monkeypatch, n)
    results = fire(app, n, lambda c, i: c.post("/login", data={"username": name, "password": f"wrong{i}"}))
    assert seen == [n] * n  # every guess hashed at once, none under the lock ...
    # ... and counted one after another under it: the free tries get the plain refusal, the rest must wait
    assert statuses(results) == {200: throttle.FREE_TRIES, 429: 2}
    assert all("Tên đăng nhập hoặc mật khẩu không đúng" in r.body for r in results if r.status == 200)
    assert db.session.scalar(sa.select(sa.func.count(LoginAttempt.id))) == throttle.FREE_TRIES
