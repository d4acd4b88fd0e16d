"""Authorization matrix of the API, generated from the route declarations (the one source of truth
for who may call what): for every operation and every role, allowed roles get a normal answer on
an object in their scope and 404 on one outside it, other roles 403, a request without a token 401.
"""
from __future__ import annotations

from datetime import date, timedelta
from app import clock

import pytest

from app import services as core
from app.api.routes import OPERATIONS
from app.models import Role, Unit, UnitLevel

A, P, C, T, U = Role.admin, Role.province, Role.commune, Role.trainer, Role.authority
ROLE_UNIT = {A: "19", P: "19", C: "02020", T: "02020", U: "02020"}
PROTECTED = [op for op in OPERATIONS if not op.public]


@pytest.fixture
def far_commune(db, units):
    """A commune of another province: outside every test user's scope (the admin's is Thái Nguyên)."""
    commune = Unit(code="00001", name="Xã Xa", level=UnitLevel.commune, parent=units["08"],
                   path=Unit.make_path(units["08"], "00001"))
    db.session.add(commune)
    db.session.flush()
    core.create_unit(commune, "Bản Xa")
    db.session.commit()
    return commune


@pytest.fixture
def objects(units, far_commune, create_training, answers_body, make_dialogue, quick_pdf, dialogue_agencies):
    """Path parameter -> {"in": build, "out": build} (built after the caller's account exists, so an
    authority user's new agency is among those a dialogue addresses), and a valid body per write."""
    trainings = {"in": create_training("02020"), "out": create_training(far_commune)}
    yesterday = (clock.today() - timedelta(days=1)).isoformat()
    return {
        "ids": {
            "training_id": {where: (lambda t=t: t.id) for where, t in trainings.items()},
            "dialogue_id": {"in": lambda: make_dialogue("02020", approved=True).id,
                            "out": lambda: make_dialogue(far_commune, approved=True).id},
            # The last question is addressed to the newest agency: an authority caller's own.
            "commitment_id": {"in": lambda: make_dialogue("02020", approved=True).questions[-1].commitments[0].id,
                              "out": lambda: _far_commitment(far_commune, make_dialogue)},
        },
        "bodies": {
            "api.create_response": lambda where: answers_body(trainings[where]),
            "api.change_commitment": lambda where: {"status": "in_progress", "note": "Đang làm"},
            "api.create_dialogue": lambda where: {"title": "Đối thoại", "unit_id": units["02020"].id,
                                                  "held_on": yesterday},
        },
    }


def _far_commitment(far_commune, make_dialogue) -> int:
    core.create_agency(f"UBND-{far_commune.code}", "Ủy ban nhân dân xã Xa", far_commune)
    return make_dialogue(far_commune, approved=True).questions[-1].commitments[0].id


def test_every_path_parameter_and_write_has_a_builder(objects):
    for op in PROTECTED:
        assert set(op.path_params) <= set(objects["ids"]), op.endpoint
        if op.is_write:
            assert op.endpoint in objects["bodies"], op.endpoint


def _call(client, op, objects, where: str):
    path = op.rule
    for name in op.path_params:
        path = path.replace(f"<int:{name}>", str(objects["ids"][name][where]()))
    if op.method == "GET":
        return client.get(path)
    body = objects["bodies"][op.endpoint](where)
    return getattr(client, op.method.lower())(path, json=body)


@pytest.mark.parametrize("op", PROTECTED, ids=lambda op: op.endpoint)
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_matrix(op, role, api, objects):
    client = api(role, ROLE_UNIT[role])
    inside = _call(client, op, objects, "in")
    allowed = op.roles is None or role is A or role in op.roles
    if not allowed:
        assert inside.status_code == 403, f"{role.value} {op.endpoint}: {inside.status_code}"
        return
    assert inside.status_code < 400, f"{role.value} {op.endpoint}: {inside.status_code} {inside.get_data(as_text=True)}"
    if op.path_params:
        outside = _call(client, op, objects, "out")
        assert outside.status_code == 404, f"{role.value} {op.endpoint} out of scope: {outside.status_code}"


@pytest.mark.parametrize("op", PROTECTED, ids=lambda op: op.endpoint)
def test_no_token_is_401(op, api, objects):
    response = _call(api(None), op, objects, "in")
    assert response.status_code == 401 and "WWW-Authenticate" in response.headers
