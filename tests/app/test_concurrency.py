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
