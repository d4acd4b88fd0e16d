"""Survey factories: topics, tests, trainings with a roster (callables, as the core fixtures)."""
from __future__ import annotations

import itertools
from datetime import date

import pytest

from app import services as core
from surveys import services
from surveys.models import QuestionKind

_seq = itertools.count(1)

# Four scored questions (one with "Không biết"), one attitude scale and one free text: max 5 points.
SAMPLE_QUESTIONS = [
    dict(text="Bạo lực gia đình chỉ là chuyện riêng của mỗi nhà.", kind=QuestionKind.truefalse, correct=[2]),
    dict(text="Tổng đài điện thoại quốc gia bảo vệ trẻ em là số nào?", kind=QuestionKind.single,
         options=["113", "111", "115", "114"], correct=[2], has_dont_know=True),
    dict(text="Những dấu hiệu nào cho thấy một tin nhắn có thể là lừa đảo?", kind=QuestionKind.multi,
         options=["Đòi chuyển tiền gấp", "Gửi đường link lạ", "Chào hỏi bình thường"], correct=[1, 2], points=2),
    dict(text="Tuổi kết hôn tối thiểu của nữ theo luật là bao nhiêu?", kind=QuestionKind.single,
         options=["16", "18", "20"], correct=[2]),
    dict(text="Tôi sẵn sàng báo cho trưởng thôn khi thấy bạo lực gia đình.", kind=QuestionKind.likert),
    dict(text="Chị muốn tìm hiểu thêm điều gì?", kind=QuestionKind.text),
]


@pytest.fixture
def create_topic(db):
    def create(name: str | None = None):
        topic = services.save_topic(None, name or f"Chủ đề {next(_seq)}")
        db.session.commit()
        return topic
    return create


@pytest.fixture
def create_instrument(db, units, create_topic):
    def create(questions=None, unit="19", topic=None, shuffle_options=False, title=None):
        unit = units[unit] if isinstance(unit, str) else unit
        contents = [services.clean_content(**q) for q in (questions or SAMPLE_QUESTIONS)]
        instrument = services.create_instrument(title=title or f"Bài kiểm tra {next(_seq)}",
                                                topic=topic or create_topic(), unit=unit, user=None,
                                                contents=contents, shuffle_options=shuffle_options)
        db.session.commit()
        return instrument
    return create


@pytest.fixture
def create_training(db, units, create_instrument, create_person):
    """create_training(unit="02086", people=3 or [Person...], consent=True, open_phases=(...))."""
    def create(unit="02086", people=3, instrument=None, consent=True, open_phases=(), questions=None, **kw):
        unit = units[unit] if isinstance(unit, str) else unit
        instrument = instrument or create_instrument(questions=questions)
        training = services.save_training(
            None, title=kw.pop("title", f"Tập huấn {next(_seq)}"), topic=instrument.topic, unit=unit,
            instrument=instrument, start_date=kw.pop("start_date", date(2025, 9, 20)), **kw)
        if isinstance(people, int):
            village = units["na_nguoc"] if unit.path.startswith(units["02086"].path) else units["ban_ca"]
            people = [create_person(village, full_name=f"Học viên {i + 1:02d}", birth_year=1960 + i % 50)
                      for i in range(people)]
        for person in people:
            services.add_participant(training, person)
            if consent and not person.has_consent(services.CONSENT_PURPOSE):
                core.give_consent(person, services.CONSENT_PURPOSE)
        for phase in open_phases:
            services.set_phase_open(training, phase, True)
        db.session.commit()
        return training
    return create


def form_token(html: str) -> str:
    """The client token the phone form was rendered with."""
    import re

    return re.search(r'name="client_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def phone(client):
    """phone(training, phase) -> helpers to open the public form and submit answers like a phone."""
    class Phone:
        def __init__(self, training, phase):
            self.state = training.phase(phase)
            self.url = f"/t/{self.state.public_token}"

        def key(self, person) -> str:
            from surveys.access import respondent_key

            with client.application.app_context():  # also from the threads of a concurrency test
                return respondent_key(self.state, person.id)

        def open(self, person):
            """Her own link (what her QR and the printed list hold)."""
            return client.get(self.url, query_string={"p": self.key(person)})

        def token_for(self, person) -> str:
            """The form's client token (past the consent screen, which has none: a GET form)."""
            response = client.get(self.url, query_string={"p": self.key(person), "consent": "yes"})
            assert response.status_code == 200, response.get_data(as_text=True)[:300]
            return form_token(response.get_data(as_text=True))

        def submit(self, person, answers: dict, token: str | None = None, consent: bool = False, via=None):
            data = {"p": self.key(person), "client_token": token or self.token_for(person), "go": "submit"}
            data.update({k: v for k, v in answers.items()})
            if consent:
                data["consent"] = "yes"
            return (via or client).post(self.url, data=data)
    return Phone
