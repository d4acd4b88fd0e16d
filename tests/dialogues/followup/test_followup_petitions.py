"""Petitions forwarded in writing at the meeting are followed like commitments at the receiving
agency (letter number and date, deadline, the same lifecycle, history, workspace), are not
counted as commitments, and a forward to an agency of the organising unit's level reads as a
transfer ("chuyển cơ quan khác"), not "chuyển cấp trên"."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import clock
from app.models import Role
from dialogues.follow_up.indicators import followup_indicators
from dialogues.minutes import render_minutes
from dialogues.models import AnswerOutcome, Commitment, CommitmentStatus
from dialogues.services import QuestionRow, follow_up


def _forwarded(agency_id, **kw):
    return QuestionRow(content="Đề nghị khám thai lưu động tại bản", raiser_name="Bà Lan", answerer_name="Ông Thắng",
                       answer="Vượt thẩm quyền", outcome=AnswerOutcome.forwarded, forwarded_agency_id=agency_id, **kw)


def test_forwarded_question_is_followed_at_the_receiving_agency(db, create_user, create_dialogue, agencies, units):
    dialogue = create_dialogue(status="approved", rows=lambda d: [_forwarded(
        agencies["SYT-19"].id, forward_letter_number="45/UBND-VP", forward_letter_date=d.held_on + timedelta(days=1),
        forward_deadline=d.held_on + timedelta(days=20))])
    question = dialogue.questions[0]
    assert question.commitments == []  # not a commitment of the minutes
    petition = question.petition
    assert petition.is_petition and petition.agency.code == "SYT-19" and petition.letter_number == "45/UBND-VP"
    assert petition.deadline == dialogue.held_on + timedelta(days=20) and petition.status is CommitmentStatus.open
    # the department's user sees it in her workspace and moves it through the same lifecycle
    department = create_user(Role.authority, "19", agency=agencies["SYT-19"])
    follow_up.update_commitment(petition, department, status=CommitmentStatus.in_progress, note="Đã tiếp nhận")
    follow_up.update_commitment(petition, department, status=CommitmentStatus.resolved, note="Đã tổ chức khám")
    db.session.commit()
    assert [e.kind.value for e in petition.events][-2:] == ["status", "status"]
    figures = followup_indicators(units["19"], dialogue.held_on, dialogue.held_on, today=clock.today())
    assert figures["committed"] == 0 and figures["forwarded_at_dialogue"] == 1
    assert figures["petitions_followed"] == 1 and figures["petitions_resolved"] == 1



def test_forward_to_an_agency_of_the_same_level_reads_as_a_transfer(client, login_as, create_dialogue, agencies,
                                                                   pdf_text):
    login_as(Role.commune, "02020")
    same = create_dialogue(status="held", rows=[_forwarded(agencies["VHXH-02020"].id)])
    higher = create_dialogue(status="held", rows=lambda d: [_forwarded(
        agencies["SYT-19"].id, forward_letter_number="45/UBND-VP", forward_deadline=d.held_on + timedelta(days=20))])
    # the minutes say where it went, with the letter and the deadline
    text = pdf_text(render_minutes(higher))
    assert "(chuyển cấp trên)" in text and "45/UBND-VP" in text and "thời hạn trả lời" in text
    text = pdf_text(render_minutes(same))
    assert "(chuyển cơ quan khác)" in text and "chuyển cấp trên" not in text
    page = client.get(f"/dialogues/{same.id}").get_data(as_text=True)
    assert "Chuyển cơ quan khác bằng văn bản" in page and "Chuyển cấp trên" not in page
    page = client.get(f"/dialogues/{higher.id}").get_data(as_text=True)
    assert "Chuyển cấp trên bằng văn bản" in page
    # no deadline typed: 30 days after the meeting, as the form says
    assert same.questions[0].petition.deadline == same.held_on + timedelta(days=30)


def test_petition_follows_the_answer_until_approval(client, login_as, create_dialogue, agencies, db):
    dialogue = create_dialogue(status="held", rows=[_forwarded(agencies["SYT-19"].id)])
    question = dialogue.questions[0]
    from dialogues import services

    services.save_question_rows(dialogue, [QuestionRow(id=question.id, number=1, content=question.content,
                                                       raiser_name="Bà Lan", answer="Đã trả lời",
                                                       outcome=AnswerOutcome.answered)], None)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(Commitment.id)).where(Commitment.is_petition.is_(True))) == 0


def test_petitions_in_the_workspace_filter_and_the_department_sees_only_its_own(client, db, login_as, create_dialogue,
                                                                                agencies):
    create_dialogue(status="approved", questions=1, commitments=1)
    create_dialogue(status="approved", rows=[_forwarded(agencies["SYT-19"].id)])
    login_as(Role.province, "19")
    page = client.get("/dialogues/commitments/?kind=petition").get_data(as_text=True)
    assert page.count("data-record") == 1 and "Kiến nghị chuyển" in page
    assert client.get("/dialogues/commitments/?kind=commitment").get_data(as_text=True).count("data-record") == 1
    login_as(Role.authority, "19", agency=agencies["SYT-19"])
    page = client.get("/dialogues/commitments/").get_data(as_text=True)
    assert page.count("data-record") == 1 and "khám thai" in page


def test_petitions_read_in_their_own_wording_everywhere(client, db, login_as, create_dialogue, create_user, agencies,
                                                        quick_pdf, pdf_text, monkeypatch):
    """A forwarded petition is a letter answered, not a promise carried out: "Đã nhận văn bản",
    "Đã trả lời/giải quyết"… on the workspace, its page (badge, status choices, history), the
    dialogue page and the previous-results PDF; a commitment keeps "Chưa thực hiện", "Đã giải quyết"."""
    today = clock.today()
    first = create_dialogue(status="approved", held_on=today - timedelta(days=40), questions=1, commitments=1)
    with_petition = create_dialogue(status="approved", held_on=today - timedelta(days=30),
                                    rows=[_forwarded(agencies["SYT-19"].id)])
    petition = with_petition.questions[0].petition
    commitment = first.questions[0].commitments[0]
    login_as(Role.province, "19")
    page = client.get("/dialogues/commitments/?kind=petition").get_data(as_text=True)
    assert "Đã nhận văn bản" in page and "Chưa thực hiện" not in page.split("<table")[-1]
    cards = page.split('<ul class="cards">')[1].split("</ul>")[0]  # the counts above the list too
    assert "1 đã nhận văn bản, 0 đang xem xét, giải quyết" in cards and "chưa thực hiện" not in cards
    assert '<option value="not_feasible">Không thể giải quyết (có lý do)</option>' in page  # the filter too
    page = client.get(f"/dialogues/commitments/{petition.id}").get_data(as_text=True)
    assert "Đã nhận văn bản" in page and ">Đang xem xét, giải quyết</option>" in page
    department = create_user(Role.authority, "19", agency=agencies["SYT-19"])
    follow_up.update_commitment(petition, department, status=CommitmentStatus.in_progress, note="Đã tiếp nhận")
    follow_up.update_commitment(petition, department, status=CommitmentStatus.resolved, note="Đã tổ chức khám")
    db.session.commit()
    page = client.get(f"/dialogues/commitments/{petition.id}").get_data(as_text=True)
    assert "Đã nhận văn bản → Đang xem xét, giải quyết" in page
    assert "Đang xem xét, giải quyết → Đã trả lời/giải quyết" in page
    assert "Đã trả lời/giải quyết" in client.get(f"/dialogues/{with_petition.id}").get_data(as_text=True)
    page = client.get(f"/dialogues/commitments/{commitment.id}").get_data(as_text=True)
    assert "Chưa thực hiện" in page and "Đã nhận văn bản" not in page
    # the previous-results report of the next dialogue
    monkeypatch.undo()  # the real PDF
    following = create_dialogue(status="planned", held_on=today + timedelta(days=5))
    login_as(Role.commune, "02020")
    response = client.get(f"/dialogues/{following.id}/previous-results.pdf")
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "Đã trả lời/giải quyết" in text and "Chưa thực hiện" in text
    # English wording
    client.post("/lang/en")
    page = client.get(f"/dialogues/commitments/{petition.id}").get_data(as_text=True)
    assert "Answered/resolved" in page


def _approved_petition(create_dialogue, agencies, **kw):
    dialogue = create_dialogue(status="approved", held_on=clock.today() - timedelta(days=3),
                               rows=[_forwarded(agencies["SYT-19"].id, **kw)])
    return dialogue, dialogue.questions[0].petition


def test_the_forwarding_letter_is_entered_after_approval_with_history_and_audit(client, db, login_as, create_dialogue,
                                                                                agencies, quick_pdf):
    from app.models import AuditLog

    dialogue, petition = _approved_petition(create_dialogue, agencies)
    assert petition.letter_number == "" and petition.letter_date is None
    login_as(Role.commune, "02020")
    page = client.get(f"/dialogues/commitments/{petition.id}").get_data(as_text=True)
    assert 'id="letter"' in page and "Lưu văn bản chuyển" in page
    today, deadline = clock.today(), clock.today() + timedelta(days=25)
    token = re.search(r'action="/dialogues/commitments/\d+/letter".*?name="token"[^>]*value="([^"]+)"', page, re.S)[1]
    data = {"token": token, "letter_number": "45/UBND-VP", "letter_date": today.strftime("%d/%m/%Y"),
            "deadline": deadline.isoformat(), "note": "Gửi qua bưu điện"}
    response = client.post(f"/dialogues/commitments/{petition.id}/letter", data=data)
    assert response.status_code == 302
    assert client.post(f"/dialogues/commitments/{petition.id}/letter", data=data).status_code == 302  # resubmitted
    db.session.expire_all()
    assert (petition.letter_number, petition.letter_date, petition.deadline) == ("45/UBND-VP", today, deadline)
    assert petition.original_deadline == dialogue.held_on + timedelta(days=30)
    [event] = [e for e in petition.events if e.note.startswith("Cập nhật văn bản chuyển")]  # once, not twice
    assert "số văn bản: — → 45/UBND-VP" in event.note and "Gửi qua bưu điện" in event.note
    assert event.deadline_to == deadline and petition.extension_count == 0  # not one of the agency's extensions
    audit = db.session.scalars(sa.select(AuditLog).where(AuditLog.object_type == "Commitment",
                                                         AuditLog.object_id == petition.id)).all()
    assert any((a.after or {}).get("letter_number") == "45/UBND-VP" and a.user_id is not None for a in audit)
    page = client.get(f"/dialogues/commitments/{petition.id}").get_data(as_text=True)
    assert "Văn bản số 45/UBND-VP" in page and "Cập nhật văn bản chuyển" in page
    # a letter dated before the meeting is refused with its reason, the typed number kept
    bad = {**data, "token": "t2", "letter_number": "46/UBND-VP",
           "letter_date": (dialogue.held_on - timedelta(days=1)).isoformat()}
    page = client.post(f"/dialogues/commitments/{petition.id}/letter", data=bad).get_data(as_text=True)
    assert "Ngày văn bản chuyển phải từ ngày đối thoại" in page and 'value="46/UBND-VP"' in page
    db.session.expire_all()
    assert petition.letter_number == "45/UBND-VP"


def test_only_the_forwarding_union_enters_the_letter(client, db, login_as, create_dialogue, agencies, quick_pdf):
    _dialogue, petition = _approved_petition(create_dialogue, agencies)
    login_as(Role.authority, "19", agency=agencies["SYT-19"])
    assert 'id="letter"' not in client.get(f"/dialogues/commitments/{petition.id}").get_data(as_text=True)
    response = client.post(f"/dialogues/commitments/{petition.id}/letter", data={"letter_number": "1/SYT"})
    assert response.status_code == 403
    login_as(Role.commune, "02086")  # another commune: out of scope
    assert client.post(f"/dialogues/commitments/{petition.id}/letter", data={"letter_number": "1"}).status_code == 404
    db.session.expire_all()
    assert petition.letter_number == ""


def test_the_lock_lets_the_letter_change_and_nothing_else(db, create_dialogue, agencies, quick_pdf):
    """ORM guard and triggers alike: letter number and date change on an approved dialogue's petition;
    what was minuted (description, agency) does not."""
    from dialogues.models import LockedError

    _dialogue, petition = _approved_petition(create_dialogue, agencies)
    table = Commitment.__table__
    db.session.execute(sa.update(table).where(table.c.id == petition.id)
                       .values(letter_number="7/UBND", letter_date=clock.today()))
    db.session.commit()
    db.session.expire_all()
    assert petition.letter_number == "7/UBND"
    with pytest.raises(sa.exc.DBAPIError, match="dialogue locked"):
        with db.session.begin_nested():
            db.session.execute(sa.update(table).where(table.c.id == petition.id).values(description="Khác"))
    db.session.rollback()
    petition.description = "Khác"
    with pytest.raises(LockedError):
        db.session.flush()
    db.session.rollback()
