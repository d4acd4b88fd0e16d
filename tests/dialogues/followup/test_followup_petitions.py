"""Petitions forwarded in writing at the meeting are followed like commitments at the receiving
agency (letter number and date, deadline, the same lifecycle, history, workspace), are not
counted as commitments, and a forward to an agency of the organising unit's level reads as a
transfer ("chuyển cơ quan khác"), not "chuyển cấp trên"."""
from datetime import timedelta

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
