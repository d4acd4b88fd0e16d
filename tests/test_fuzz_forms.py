"""Fuzzing every form: random and hostile input never gives a 5xx, never comes back unescaped, and
a refused submission stores nothing (see tests/fuzzing.py for the generator and the checks).

FORMS has one entry per endpoint that accepts POST; a new one without an entry fails
``test_every_form_route_has_an_entry``. To add a feature form, add one line: who posts it, its URL
(built from fixtures), and a valid value for each field.
"""
import time
from types import SimpleNamespace

import pytest

from fuzzing import FormRoute, fuzz_form
from test_authz_matrix import _category, _commitment, _evidence, _community_builders, _dialogue, _survey_builders

from app.extensions import db
from app.models import Role

A, P, C, T = Role.admin, Role.province, Role.commune, Role.trainer


def village_id(f):
    return f("units")["ban_ca"].id


def person_url(suffix=""):
    return lambda f: f"/people/{f('create_person')().id}{suffix}"


PERSON = {"full_name": "Lò Thị Ánh", "code": "CD-901", "sex": "F", "birth_year": "1990", "ethnicity_code": "02",
          "unit_id": village_id, "phone": "0912 345 678"}
USER = {"username": "lo.thi.anh", "full_name": "Lò Thị Ánh", "email": "anh@example.vn", "role": "commune",
        "unit_code": "02020", "agency_code": "", "password": "abc12345", "is_active": "y"}

FORMS = {
    "auth.login": FormRoute(None, "", lambda f: "/login",
                            {"username": lambda f: f("create_user")(T, "02020").username,
                             "password": lambda f: f("test_password"), "remember": "y"},
                            writes_on_error=("login_attempts",)),
    "auth.change_password_view": FormRoute(T, "02020", lambda f: "/account/password",
                                           {"old_password": lambda f: f("test_password"), "new_password": "newpass123",
                                            "confirm": "newpass123"}),
    "admin.create_user": FormRoute(A, "19", lambda f: "/admin/users/new", USER),
    "admin.edit_user": FormRoute(A, "19", lambda f: f"/admin/users/{f('create_user')(T, '02020').id}/edit", USER),
    "admin.create_agency": FormRoute(P, "19", lambda f: "/admin/agencies/new",
                                     {"code": "UBND-X", "name": "Ủy ban nhân dân", "unit_code": "02020"}),
    "admin.edit_agency": FormRoute(C, "02020", lambda f: f"/admin/agencies/{f('create_agency')(unit=f('units')['02020']).id}/edit",
                                   {"name": "Công an xã Chợ Đồn", "is_active": "y"}),
    "core.create_person": FormRoute(C, "02020", lambda f: "/people/new", {**PERSON, "consent": "y"}),
    "core.edit_person": FormRoute(C, "02020", person_url("/edit"), PERSON),
    "core.create_village": FormRoute(C, "02020", lambda f: f"/units/{f('units')['02020'].id}/villages",
                                     {"name": "Nà Pài", "division_type": "bản"}),
    "core.update_consent": FormRoute(T, "02020", person_url("/consent"),
                                     {"action": "give", "guardian_name": "Lò Văn Páo"}),
    "core.erase_person": FormRoute(C, "02020", person_url("/erase"), {"confirm": "yes"}),
}



@pytest.fixture
def survey(units, create_person):
    """A training in Chợ Đồn (built as in the authorization matrix) with one participant and its
    pre test open on the phone: the ids, item keys and phone token."""
    from surveys import services as surveys
    from surveys.models import Phase, Training

    made = _survey_builders(units["02020"], units["ban_ca"], units["02086"], units["na_nguoc"], create_person)
    training = db.session.get(Training, made["training"]["in"]())
    person = create_person(unit="ban_ca")
    surveys.add_participant(training, person)
    other = create_person(unit="ban_ca")  # a namesake a response can be moved to
    surveys.add_participant(training, other)
    from app import services as core
    core.give_consent(other, surveys.CONSENT_PURPOSE)
    surveys.set_phase_open(training, Phase.pre, True)
    db.session.commit()
    return SimpleNamespace(
        topic=training.topic_id, question=training.version.items[0].question_id,
        instrument=training.version.instrument_id, training=training.id, person=person.id, other=other.id,
        answers={item.key: "1" for item in training.version.items}, token=training.phase(Phase.pre).public_token,
        version=training.version_id)


def _survey_response_url(f, action: str) -> str:
    """A response of ``survey``'s participant (made once per test), for the void and move forms."""
    from app.extensions import db as _db
    from surveys import services as surveys
    from surveys.models import Phase, ResponseSource, Training

    s = f("survey")
    training = _db.session.get(Training, s.training)
    person = next(p.person for p in training.participants if p.person_id == s.person)
    stored, _created = surveys.save_response(training, Phase.pre, person, [], source=ResponseSource.grid,
                                             consent_given=True)
    _db.session.commit()
    return f"/surveys/trainings/{training.id}/responses/{stored.id}/{action}"


@pytest.fixture
def survey_workbook(survey):
    """The training of ``survey`` as a valid interchange workbook, with its answers."""
    from surveys import services as surveys
    from surveys.models import Training

    return surveys.export_workbook(db.session.get(Training, survey.training), with_answers=True)


def survey_url(template):
    return lambda f: template.format(s=f("survey"))


def instrument_fields(f):
    return {"title": "Bài kiểm tra trước", "topic_id": f("survey").topic, "shuffle_options": "y",
            f"pos_{f('survey').question}": "1"}


TRAINING = {"title": "Tập huấn phòng chống bạo lực", "topic_id": lambda f: f("survey").topic,
            "unit_id": lambda f: f("units")["02020"].id, "instrument_id": lambda f: f("survey").instrument,
            "start_date": "2025-09-20", "end_date": "2025-09-21", "venue": "Nhà văn hóa Bản Ca",
            "trainers": "Ma Thị Hương", "one_question_per_screen": "y"}
QUESTION = {"topic_id": lambda f: f("survey").topic, "text": "Số điện thoại đường dây nóng là số nào?",
            "kind": "single", "options": "111\n113\n115", "correct": "1", "points": "1", "has_dont_know": "y"}

FORMS |= {
    "surveys.list_topics": FormRoute(C, "02020", lambda f: "/surveys/topics/",
                                     {"name": "Phòng chống mua bán người", "is_active": "y"}),
    "surveys.edit_topic": FormRoute(C, "02020", survey_url("/surveys/topics/{s.topic}/edit"),
                                    {"name": "Bình đẳng giới trong gia đình", "is_active": "y"}),
    "surveys.create_question": FormRoute(C, "02020", lambda f: "/surveys/questions/new", QUESTION),
    "surveys.edit_question": FormRoute(C, "02020", survey_url("/surveys/questions/{s.question}/edit"), QUESTION),
    "surveys.create_instrument": FormRoute(C, "02020", lambda f: "/surveys/tests/new", instrument_fields),
    "surveys.edit_instrument": FormRoute(C, "02020", survey_url("/surveys/tests/{s.instrument}/edit"),
                                         instrument_fields),
    "surveys.duplicate_instrument": FormRoute(C, "02020", survey_url("/surveys/tests/{s.instrument}/duplicate"), {}),
    "surveys.create_training": FormRoute(T, "02020", lambda f: "/surveys/trainings/new", TRAINING),
    "surveys.edit_training": FormRoute(T, "02020", survey_url("/surveys/trainings/{s.training}/edit"), TRAINING),
    "surveys.add_participant": FormRoute(T, "02020", survey_url("/surveys/trainings/{s.training}/participants"),
                                         {**PERSON, "unit_id": village_id, "consent": "y"}),
    "surveys.enter_grid": FormRoute(T, "02020", survey_url("/surveys/trainings/{s.training}/pre/grid"),
                                    lambda f: {"person": f("survey").person, "consent": "y", "incomplete": "y",
                                               **f("survey").answers}),
    "surveys.void_response": FormRoute(T, "02020", lambda f: _survey_response_url(f, "void"),
                                       {"reason": "Phiếu trống, nhập nhầm"}),
    "surveys.move_response": FormRoute(T, "02020", lambda f: _survey_response_url(f, "move"),
                                       {"person_id": lambda f: f("survey").other}),
    "surveys.import_answers": FormRoute(T, "02020", survey_url("/surveys/trainings/{s.training}/import"),
                                        {"file": lambda f: f("survey_workbook")}, files=("file",)),
    "surveys.import_roster": FormRoute(T, "02020",
                                       survey_url("/surveys/trainings/{s.training}/participants/import"),
                                       {"file": lambda f: f("survey_workbook")}, files=("file",)),
    "surveys.import_training": FormRoute(T, "02020", lambda f: "/surveys/trainings/import",
                                         {"file": lambda f: f("survey_workbook"), "unit_id": village_id},
                                         files=("file",)),
    "surveys_public.submit_form": FormRoute(None, "", survey_url("/t/{s.token}"),
                                            lambda f: {"person": f("survey").person, "client_token": "b4c9e1f0a2d34c5b8e7f",
                                                       "go": "submit", "step": "1", "consent": "yes",
                                                       **f("survey").answers}, accepted=(200,),
                                            writes_on_error=("rate_events",)),
    # An answer from a phone's offline queue: every well-formed post gets a 200 receipt (stored, or
    # refused with its reason kept for the trainer); a post without a usable token is a 400.
    "surveys_public.sync_answer": FormRoute(None, "", survey_url("/t/{s.token}/sync"),
                                            lambda f: {"person": f("survey").person, "client_token": "c5d0f2a1b3e45d6c9f80",
                                                       "answered_at": str(int(time.time() * 1000)),
                                                       "version": f("survey").version, "consent": "yes",
                                                       **f("survey").answers}, accepted=(200,),
                                            writes_on_error=("rate_events",)),
    "surveys.paper_job": FormRoute(T, "02020", survey_url("/surveys/trainings/{s.training}/pre/paper"),
                                   {"layout": "sheets", "todo": "1"}, accepted=(303,)),
}



@pytest.fixture
def dialogue(units):
    """A draft dialogue of Chợ Đồn with one question (built as in the authorization matrix)."""
    from dialogues.models import Dialogue

    found = db.session.get(Dialogue, _dialogue(units["02020"]))
    return SimpleNamespace(id=found.id, revision=found.revision, question=found.questions[0].id)


@pytest.fixture
def held_dialogue(units):
    from dialogues import services as ds
    from dialogues.models import Dialogue

    held = db.session.get(Dialogue, _dialogue(units["02020"]))
    ds.mark_held(held, None)
    db.session.commit()
    return held.id


@pytest.fixture
def approved_dialogue(units):
    return _dialogue(units["02020"], approved=True)


@pytest.fixture
def category():
    return _category()


def dialogue_url(suffix):
    return lambda f: f"/dialogues/{f('dialogue').id}{suffix}"


DIALOGUE = {"token": "5f0c2a9e7b1d4c3e8a6f", "title": "Hội nghị đối thoại với hội viên phụ nữ", "level": "commune",
            "unit_id": lambda f: f("units")["02020"].id, "venue_unit_id": village_id, "held_on": "2025-10-01",
            "start_time": "08:00", "end_time": "10:30", "venue": "Nhà văn hóa Bản Ca", "organiser": "Hội LHPN xã",
            "co_organisers": "Đoàn Thanh niên", "topics": "Nước sạch\nĐường vào bản",
            "chair_name": "Nông Văn Dũng", "chair_position": "Chủ tịch UBND xã", "secretary_name": "Lý Thị Mai",
            "secretary_position": "Cán bộ Hội", "leaders-0-name": "Hoàng Văn Tú", "leaders-0-title": "Phó Chủ tịch",
            "leaders-0-agency_id": "", "attendance_total": "42", "attendance_women": "38",
            "attendance_minority": "35", "groups-0-label": "Hội viên", "groups-0-count": "30",
            "conclusions": "Giao UBND xã sửa đường trước mùa mưa.", "recipients": "Lưu: VT"}
QUESTION_ROW = {"questions-0-id": lambda f: f("dialogue").question, "questions-0-number": "1",
                "questions-0-origin": "collected", "questions-0-is_raised": "y", "questions-0-raiser_kind": "person",
                "questions-0-raiser_name": "Triệu Thị Lan", "questions-0-person_code": "",
                "questions-0-raiser_sex": "F", "questions-0-ethnicity_code": "07",
                "questions-0-village_id": village_id, "questions-0-content": "Đề nghị sửa đường vào bản.",
                "questions-0-category_id": lambda f: f("category"), "questions-0-agency_id": "",
                "questions-0-answerer_name": "Nông Văn Dũng", "questions-0-answerer_title": "Chủ tịch UBND xã",
                "questions-0-answerer_agency_id": "", "questions-0-answer": "Xã sẽ sửa trong quý IV.",
                "questions-0-outcome": "answered", "questions-0-forwarded_agency_id": "",
                "questions-0-forward_document": ""}

FORMS |= {
    "dialogues.create_dialogue": FormRoute(C, "02020", lambda f: "/dialogues/new", DIALOGUE),
    "dialogues.edit_dialogue": FormRoute(C, "02020", dialogue_url("/edit"),
                                         {**DIALOGUE, "revision": lambda f: f("dialogue").revision}),
    "dialogues.enter_questions": FormRoute(C, "02020", dialogue_url("/questions"),
                                           {"revision": lambda f: f("dialogue").revision, **QUESTION_ROW}),
    "dialogues.edit_roster": FormRoute(C, "02020", dialogue_url("/roster"),
                                       {"person_codes": lambda f: f("create_person")().code,
                                        "person_id": lambda f: f("create_person")().id}),
    "dialogues.remove_attendee": FormRoute(C, "02020",
                                           lambda f: f"/dialogues/{f('dialogue').id}/roster/"
                                                     f"{f('create_person')().id}/remove", {"note": "Vắng mặt"}),
    "dialogues.mark_held": FormRoute(C, "02020", dialogue_url("/held"), {"note": "Đã tổ chức đúng lịch"}),
    "dialogues.approve_minutes": FormRoute(C, "02020", lambda f: f"/dialogues/{f('held_dialogue')}/approve",
                                           {"note": "Đã đọc lại tại hội nghị"}),
    "dialogues.add_addendum": FormRoute(C, "02020", lambda f: f"/dialogues/{f('approved_dialogue')}/addenda",
                                        {"token": "9d8e7f6a5b4c", "written_on": "2025-10-02",
                                         "text": "Bổ sung: số người tham dự là 43."}),
    "dialogues.check_document": FormRoute(None, "", lambda f: "/dialogues/check",
                                          {"code": "K7QF2-M9XHD", "file": b"%PDF-1.7\n%%EOF"}, files=("file",),
                                          writes_on_error=("rate_events",)),  # each check counts (rate limit)
    "dialogues.verify_minutes": FormRoute(C, "02020", lambda f: "/dialogues/verify",
                                          {"file": b"%PDF-1.7\n%%EOF", "sha256": "0" * 64}, files=("file",)),
    "dialogues.edit_header": FormRoute(C, "02020", lambda f: f"/dialogues/header/{f('units')['02020'].id}",
                                       {"parent_body": "Hội LHPN tỉnh Thái Nguyên", "issuing_body": "Hội LHPN xã Chợ Đồn",
                                        "number_suffix": "BB-HLHPN", "place_name": "Chợ Đồn"}),
    "dialogues.list_categories": FormRoute(P, "19", lambda f: "/dialogues/categories/",
                                           {"name": "Nước sạch và vệ sinh"}),
    "dialogues.edit_category": FormRoute(P, "19", lambda f: f"/dialogues/categories/{f('category')}",
                                         {"name": "Giao thông nông thôn", "is_active": "y"}),
}


def commitment_url(suffix):
    return lambda f: f"/dialogues/commitments/{_commitment(f('units')['02020'])}{suffix}"


def other_agency(f):
    return f("create_agency")(unit=f("units")["02020"]).id


FORMS |= {
    "dialogues.withdraw_evidence": FormRoute(C, "02020", lambda f: f"/dialogues/commitments/"
                                             f"{_evidence(f('units')['02020'])}/withdraw",
                                             {"token": "c0ffee19", "reason": "Đính kèm nhầm tệp"}),
    "dialogues.update_commitment": FormRoute(C, "02020", commitment_url("/update"),
                                             {"token": "c0ffee12", "status": "in_progress",
                                              "note": "Đã làm việc với Ngân hàng Chính sách xã hội.",
                                              "file": b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\nstartxref\n9\n%%EOF"},
                                             files=("file",)),
    "dialogues.forward_commitment": FormRoute(C, "02020", commitment_url("/forward"),
                                              {"token": "c0ffee13", "agency_id": other_agency,
                                               "deadline": "2026-12-31", "note": "Vượt thẩm quyền của xã."}),
    "dialogues.extend_commitment": FormRoute(C, "02020", commitment_url("/extend"),
                                             {"token": "c0ffee14", "deadline": "2027-03-31",
                                              "reason": "Chờ kinh phí năm sau."}),
    # The fuzzing commitment is no petition: every post is refused with its message, nothing stored.
    "dialogues.record_letter": FormRoute(C, "02020", commitment_url("/letter"),
                                         {"token": "c0ffee16", "letter_number": "45/UBND-VP",
                                          "letter_date": "2026-11-20", "deadline": "2027-01-31", "note": "Đã gửi."}),
    "dialogues.reopen_commitment": FormRoute(C, "02020", commitment_url("/reopen"),
                                             {"token": "c0ffee15", "reason": "Người dân phản ánh chưa làm."}),
}


@pytest.fixture
def indicator(db, units):
    """An indicator definition (as in the authorization matrix); its id names the target field."""
    from test_authz_matrix import _indicator

    return _indicator()


INDICATOR = {"code": "DA8-TT", "name": "Số lượt người được tập huấn", "unit_of_measure": "lượt người",
             "figure": "training_participants", "position": "2", "is_active": "y"}

FORMS |= {
    "indicators.create_indicator": FormRoute(A, "VN", lambda f: "/indicators/definitions/new", INDICATOR),
    "indicators.edit_indicator": FormRoute(A, "VN", lambda f: f"/indicators/definitions/{f('indicator')}/edit",
                                           INDICATOR),
    "indicators.edit_targets": FormRoute(P, "19", lambda f: "/indicators/targets?unit=02020&year=2025",
                                         lambda f: {f"target_{f('indicator')}": "1.250"}),
}


FORMS |= {
    "api_tokens.create_token": FormRoute(C, "02020", lambda f: "/account/api-tokens/",
                                         {"name": "Báo cáo của tỉnh", "days": "90", "token": "fuzz-form-token-01"},
                                         accepted=(201, 302)),
}

@pytest.fixture
def community(units, create_person):
    """A team, club, trusted address and activity of Chợ Đồn (built as in the authorization matrix),
    an adult's code for membership forms and a valid activity workbook."""
    from community import workbook
    from community.models import ActivityTopic, Team

    made = _community_builders(units["02020"], units["ban_ca"], units["02086"], units["na_nguoc"], create_person)
    ids = {kind: made[kind]["in"]() for kind in ("team", "team_member", "club", "club_member", "address",
                                                 "activity")}
    topic = db.session.scalar(db.select(ActivityTopic.name).order_by(ActivityTopic.id))
    team = db.session.get(Team, ids["team"])
    from openpyxl import Workbook
    import io

    wb = Workbook()
    ws = wb.active
    ws.title = workbook.SHEET
    ws.append(list(workbook.COLUMNS))
    ws.append([team.name, "05/09/2025", topic, "meeting", 20, 10, 5, 0, ""])
    out = io.BytesIO()
    wb.save(out)
    return SimpleNamespace(**ids, person_code=create_person(unit="ban_ca", birth_year=1980).code,
                           topic=db.session.scalar(db.select(ActivityTopic.id).order_by(ActivityTopic.id)),
                           workbook=out.getvalue())


def community_url(template):
    return lambda f: template.format(c=f("community"))


CHILD = {"full_name": "Triệu Thị Em", "birth_year": "2013", "sex": "F", "ethnicity_code": "09", "group": "girls",
         "guardian_name": "Triệu Thị Mẹ", "guardian_relation": "mẹ", "consent_on": "01/09/2025",
         "guardian_consents": "y"}
CLOSE = {"status": "dissolved", "status_date": "01/10/2025"}

FORMS |= {
    "community.create_team": FormRoute(C, "02020", lambda f: "/community/teams/new",
                                       {"name": "Tổ truyền thông thôn Bản Ca", "unit_id": village_id,
                                        "decision_number": "12/QĐ-UBND", "founded_on": "05/01/2024",
                                        "decision_issuer": "UBND xã Chợ Đồn"}),
    "community.add_team_member": FormRoute(C, "02020", community_url("/community/teams/{c.team}/members"),
                                           lambda f: {"person_code": f("community").person_code, "role": "deputy",
                                                      "joined_on": "01/02/2025"}),
    "community.end_team_membership": FormRoute(C, "02020", community_url("/community/teams/{c.team_member}/leave"),
                                               {"left_on": "01/03/2025"}),
    "community.close_team": FormRoute(C, "02020", community_url("/community/teams/{c.team}/close"), CLOSE),
    "community.create_club": FormRoute(C, "02020", lambda f: "/community/clubs/new",
                                       {"name": "CLB Thủ lĩnh của sự thay đổi trường THCS", "unit_id": village_id,
                                        "setting": "school", "school_name": "Trường THCS Chợ Đồn",
                                        "founded_on": "05/01/2024"}),
    "community.add_club_member": FormRoute(C, "02020", community_url("/community/clubs/{c.club}/members"), CHILD),
    "community.withdraw_consent": FormRoute(C, "02020", community_url("/community/clubs/{c.club_member}/withdraw"),
                                            {"note": "Mẹ rút lại"}),
    "community.add_facilitator": FormRoute(C, "02020", community_url("/community/clubs/{c.club}/facilitators"),
                                           lambda f: {"person_code": f("community").person_code,
                                                      "joined_on": "01/02/2025"}),
    "community.close_club": FormRoute(C, "02020", community_url("/community/clubs/{c.club}/close"), CLOSE),
    "community.create_address": FormRoute(C, "02020", lambda f: "/community/addresses/new",
                                          {"name": "Nhà bà Hoa", "unit_id": village_id, "host_kind": "household",
                                           "contact_name": "Hoàng Thị Hoa", "contact_phone": "0912 000 111",
                                           "founded_on": "05/01/2024"}),
    "community.record_support": FormRoute(C, "02020", community_url("/community/addresses/{c.address}/support"),
                                          {"month": "09/2025", "kind": "shelter", "count": "2"}),
    "community.close_address": FormRoute(C, "02020", community_url("/community/addresses/{c.address}/close"), CLOSE),
    "community.enter_grid": FormRoute(C, "02020", lambda f: "/community/grid?unit=02020&month=09/2025",
                                      lambda f: {"rows": "1", "r0-team": f("community").team, "r0-day": "5",
                                                 "r0-topic": f("community").topic, "r0-form": "meeting",
                                                 "r0-total": "25", "r0-women": "20", "r0-minority": "18",
                                                 "r0-children": "2"}),
    "community.import_grid": FormRoute(C, "02020", lambda f: "/community/grid/import?unit=02020&month=09/2025",
                                       {"file": lambda f: f("community").workbook}, files=("file",)),
    "community.list_topics": FormRoute(P, "19", lambda f: "/community/topics/", {"name": "Phòng, chống xâm hại trẻ em"}),
}

# POST endpoints with no user input to fuzz (their only effect is named by the URL).
NO_INPUT = {"auth.logout", "core.set_language", "surveys.archive_question", "surveys.set_phase",
            "surveys.remove_participant", "api_tokens.revoke_token", "auth.logout_everywhere", "admin.unlock_user",
            "admin.start_backup",
            "community.delete_activity", "surveys.restore_response", "surveys.delete_training",
            "surveys.archive_training", "surveys.rescore_training"}


def test_every_form_route_has_an_entry(app):
    from app.api.routes import OPERATIONS

    # The JSON API takes no forms: schemathesis fuzzes it against its document (tests/app/api/test_api_fuzz.py).
    posting = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())} \
        - {op.endpoint for op in OPERATIONS}
    missing = posting - NO_INPUT - set(FORMS)
    assert not missing, f"form routes without a fuzzing entry: {sorted(missing)}"
    assert not set(FORMS) - posting, f"entries for routes that no longer take POST: {sorted(set(FORMS) - posting)}"


@pytest.mark.parametrize("endpoint", sorted(FORMS))
def test_fuzz_form(endpoint, client, db, units, request):
    fuzz_form(FORMS[endpoint], client, request.getfixturevalue)


@pytest.mark.parametrize("url", ["/people/?q=a%00b", "/units/{commune}?q=%00", "/admin/users/?q=%00",
                                 "/admin/audit/?type=%00"])
def test_nul_in_a_query_string_is_ignored(url, client, login_as, units):
    login_as(Role.admin, "VN")
    response = client.get(url.format(commune=units["02020"].id))
    assert response.status_code == 200

