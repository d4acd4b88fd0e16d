"""API fixtures: tokens, a client that sends them, objects in and out of scope, and a check of
answers against the OpenAPI document."""
from __future__ import annotations

import itertools
from datetime import date

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from app import services as core
from app.api import openapi, tokens
from app.api.blueprint import _BY_ENDPOINT
from app.models import Role
from surveys import services as surveys
from surveys.models import QuestionKind

_seq = itertools.count(1)

QUESTIONS = [
    dict(text="Bạo lực gia đình chỉ là chuyện riêng của mỗi nhà.", kind=QuestionKind.truefalse, correct=[2]),
    dict(text="Tổng đài quốc gia bảo vệ trẻ em là số nào?", kind=QuestionKind.single,
         options=["113", "111", "115"], correct=[2], has_dont_know=True),
    dict(text="Dấu hiệu nào cho thấy tin nhắn lừa đảo?", kind=QuestionKind.multi,
         options=["Đòi chuyển tiền gấp", "Đường link lạ", "Chào hỏi"], correct=[1, 2], points=2),
    dict(text="Chị muốn tìm hiểu thêm điều gì?", kind=QuestionKind.text),
]


def check_conformance(app, response, status: int | None = None) -> dict | None:
    """Assert ``response`` has a documented status and a body valid against the document;
    returns the JSON body."""
    request = response.request
    adapter = app.url_map.bind("localhost")
    endpoint, _args = adapter.match(request.path, method=request.method)
    op = _BY_ENDPOINT[endpoint]
    operation = openapi.document()["paths"][op.path][op.method.lower()]
    if status is not None:
        assert response.status_code == status, response.get_data(as_text=True)[:500]
    answer = operation["responses"].get(str(response.status_code))
    assert answer is not None, f"{op.method} {op.path}: {response.status_code} is not documented"
    media_type, spec = next(iter(answer.get("content", {}).items()), (None, None))
    assert response.mimetype == media_type, response.mimetype
    if media_type != "application/json":
        return None
    body = response.get_json()
    root = {**spec["schema"], "components": {"schemas": openapi.SCHEMAS}}
    errors = sorted(Draft202012Validator(root, format_checker=FormatChecker()).iter_errors(body), key=str)
    assert not errors, f"{op.method} {op.path} {response.status_code}: {errors[0]}"
    return body


@pytest.fixture
def conforms(app):
    """conforms(response, status=None) -> body, after checking it against the document."""
    return lambda response, status=None: check_conformance(app, response, status)


class Api:
    """The test client with a bearer token; paths are relative to /api/v1."""

    def __init__(self, client, secret: str | None, user=None):
        self.client, self.secret, self.user = client, secret, user

    def _headers(self, headers):
        auth = {"Authorization": f"Bearer {self.secret}"} if self.secret else {}
        return {**auth, **(headers or {})}

    def get(self, path, headers=None, **kw):
        return self.client.get(f"/api/v1{path}", headers=self._headers(headers), **kw)

    def post(self, path, json=None, headers=None, **kw):
        return self.client.post(f"/api/v1{path}", json=json, headers=self._headers(headers), **kw)

    def patch(self, path, json=None, headers=None, **kw):
        return self.client.patch(f"/api/v1{path}", json=json, headers=self._headers(headers), **kw)


@pytest.fixture
def write_limit(app):
    """write_limit(n): at most n writes per minute per token for this test."""
    before = app.config["API_WRITES_PER_MINUTE"]
    yield lambda n: app.config.__setitem__("API_WRITES_PER_MINUTE", n)
    app.config["API_WRITES_PER_MINUTE"] = before


@pytest.fixture
def token_for(db):
    def make(user, **kw) -> str:
        _token, secret = tokens.create_token(user, "test", **kw)
        db.session.commit()
        return secret
    return make


@pytest.fixture
def api(client, create_user, token_for):
    """api(role, unit) -> an Api client acting as a new user of that role and unit; api(None): no token."""
    def make(role: Role | str | None = Role.commune, unit="02020", **kw) -> Api:
        if role is None:
            return Api(client, None)
        user = create_user(role, unit, **kw)
        return Api(client, token_for(user), user)
    return make


@pytest.fixture
def create_training(db, units, create_person):
    """create_training(unit="02020", people=3) -> a training with a 4-item test and a consenting roster."""
    def create(unit="02020", people=3, consent=True):
        unit = units[unit] if isinstance(unit, str) else unit
        topic = surveys.save_topic(None, f"Chủ đề {next(_seq)}")
        instrument = surveys.create_instrument(title="Bài kiểm tra", topic=topic, unit=unit, user=None,
                                               contents=[surveys.clean_content(**q) for q in QUESTIONS])
        training = surveys.save_training(None, title=f"Tập huấn {next(_seq)}", topic=topic, unit=unit,
                                         instrument=instrument, start_date=date(2025, 9, 20))
        village = units["ban_ca"] if unit.path.startswith(units["02020"].path) else (
            units["na_nguoc"] if unit.path.startswith(units["02086"].path) else unit)
        for i in range(people):
            person = create_person(village, full_name=f"Học viên {i + 1:02d}", code=f"T{next(_seq):04d}")
            surveys.add_participant(training, person)
            if consent:
                core.give_consent(person, surveys.CONSENT_PURPOSE)
        db.session.commit()
        return training
    return create


@pytest.fixture
def answers_body():
    """answers_body(training, code=None, phase="pre", token=None) -> a valid body (score 4 of 4)."""
    def make(training, code: str | None = None, phase="pre", token: str | None = None, **kw) -> dict:
        code = code or training.participants[0].person.code
        return {"participant_code": code, "phase": phase, "answers": {"1": [2], "2": [2], "3": [1, 2], "4": "Luật"},
                "client_token": token or f"tok-{next(_seq):06d}-abcdefghij", **kw}
    return make


# --- dialogues -------------------------------------------------------------------------------

@pytest.fixture
def dialogue_agencies(db, units, create_agency):
    """Agency ids by unit key: the People's Committees of both communes and a province department."""
    return {"02020": create_agency("UBND-02020", units["02020"]).id,
            "02086": create_agency("UBND-02086", units["02086"]).id,
            "19": create_agency("SYT-19", units["19"]).id}


@pytest.fixture
def make_dialogue(db, units, categories, create_dialogue):
    """make_dialogue(unit="02020", approved=False) -> a dialogue held yesterday, with one accepted
    question (and its commitment) for each agency of the unit at that moment."""
    from datetime import time, timedelta

    import sqlalchemy as sa

    from app import clock
    from app.models import Agency
    from dialogues import services as ds
    from dialogues.models import AnswerOutcome, RaiserKind

    def make(unit="02020", approved=False):
        unit = units[unit] if isinstance(unit, str) else unit
        # in creation order: the last question goes to the newest agency (without ORDER BY,
        # PostgreSQL returns rows in whatever order the heap holds them after updates)
        agencies = db.session.scalars(sa.select(Agency.id).where(Agency.unit_id == unit.id).order_by(Agency.id)).all()
        rows = [ds.QuestionRow(
            content=f"Ý kiến gửi cơ quan {a}", raiser_name="Người nêu", agency_id=a, answer="Tiếp thu",
            outcome=AnswerOutcome.accepted, commitments=[ds.CommitmentRow(
                agency_id=a, description="Cam kết", deadline=clock.today() + timedelta(days=30))])
            for a in agencies] or [ds.QuestionRow(content="Ý kiến", raiser_kind=RaiserKind.anonymous,
                                                  outcome=AnswerOutcome.noted)]
        return create_dialogue(unit, status="approved" if approved else "held", rows=rows,
                               title="Hội nghị đối thoại", held_on=clock.today() - timedelta(days=1),
                               start_time=time(8), end_time=time(10), venue="", organiser="", chair_name="Chủ trì",
                               chair_position="", secretary_name="Thư ký", secretary_position="",
                               attendance_total=10, attendance_women=8, attendance_minority=7)
    return make


@pytest.fixture
def approved_commitment(dialogue_agencies, make_dialogue, quick_pdf):
    """approved_commitment(unit="02020", approve=True) -> id of the commitment of the unit's People's
    Committee in the minutes of a dialogue held yesterday."""
    def make(unit="02020", approve=True) -> int:
        return make_dialogue(unit, approved=approve).questions[0].commitments[0].id
    return make
