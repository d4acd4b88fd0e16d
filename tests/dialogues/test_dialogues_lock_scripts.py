"""The lock holds below the ORM (issue 14): the scripted writes that went through on approved
minutes are refused by the flush guard (ORM) and by the triggers of migration 0015 (Core SQL), on
SQLite and PostgreSQL alike; follow-up still works; bulk writes are audited."""
from datetime import date, timedelta
from app import clock

import pytest
import sqlalchemy as sa

from app.models import AuditLog
from dialogues.models import (Commitment, CommitmentStatus, Dialogue, DialogueAnswer, DialogueLeader, DialogueQuestion,
                              DialogueStatus, DialogueStatusChange, LockedError)

C, Q, A, D = (Commitment.__table__, DialogueQuestion.__table__, DialogueAnswer.__table__, Dialogue.__table__)


@pytest.fixture
def locked(db, create_dialogue, quick_pdf):
    """An approved dialogue with two questions (one with a commitment) and an unlocked one."""
    approved = create_dialogue(status="approved", questions=2, commitments=1)
    other = create_dialogue(status="held", questions=1)
    db.session.commit()
    return approved, other


def refused_below(db, statement):
    """The statement is refused by the database itself; nothing changes."""
    with pytest.raises(sa.exc.DBAPIError, match="dialogue locked"):
        with db.session.begin_nested():
            db.session.execute(statement)
    db.session.rollback()


def refused_by_guard(db):
    with pytest.raises(LockedError):
        db.session.flush()
    db.session.rollback()


def new_commitment(question, **kw):
    deadline = clock.today() + timedelta(days=30)
    return dict(question_id=question.id, agency_id=question.commitments[0].agency_id if question.commitments else
                question.agency_id, description="Cam kết thêm sau khi duyệt", deadline=deadline,
                original_deadline=deadline, status="open", position=9, **kw)


def test_a_commitment_made_by_question_id_alone_is_refused(db, locked):
    approved, _other = locked
    question = approved.questions[0]
    values = new_commitment(question)
    db.session.add(Commitment(**{**values, "status": CommitmentStatus.open}))
    refused_by_guard(db)
    refused_below(db, sa.insert(C).values(**values))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(C)) == 1


def test_a_row_given_forwarded_from_id_does_not_pass_as_follow_up(db, locked):
    approved, _other = locked
    question = approved.questions[0]
    source = question.commitments[0]
    values = new_commitment(question, forwarded_from_id=source.id)
    db.session.add(Commitment(**{**values, "status": CommitmentStatus.open}))
    refused_by_guard(db)
    refused_below(db, sa.insert(C).values(**values))  # its source was never forwarded


def test_a_question_moved_to_an_unlocked_parent_is_refused(db, locked):
    approved, other = locked
    question = approved.questions[1]
    question.dialogue_id = other.id
    refused_by_guard(db)
    question = db.session.get(DialogueQuestion, approved.questions[1].id)
    question.dialogue = db.session.get(Dialogue, other.id)
    refused_by_guard(db)
    refused_below(db, sa.update(Q).where(Q.c.id == approved.questions[1].id).values(dialogue_id=other.id))
    # Nor into a locked one.
    refused_below(db, sa.update(Q).where(Q.c.id == other.questions[0].id).values(dialogue_id=approved.id))
    answer_id = approved.questions[0].answer.id
    refused_below(db, sa.update(A).where(A.c.id == answer_id).values(question_id=other.questions[0].id))


def test_status_held_set_with_an_edit_in_the_same_flush_is_refused(db, locked):
    approved, _other = locked
    approved.status = DialogueStatus.held
    approved.title = "Tiêu đề sửa lén"
    refused_by_guard(db)
    refused_below(db, sa.update(D).where(D.c.id == approved.id).values(status="held", title="Tiêu đề sửa lén"))
    refused_below(db, sa.update(D).where(D.c.id == approved.id).values(status="held"))
    assert db.session.get(Dialogue, approved.id).title != "Tiêu đề sửa lén"


def test_bulk_update_and_delete_are_refused_on_approved_minutes(db, locked):
    approved, _other = locked
    ids = [q.id for q in approved.questions]
    refused_below(db, sa.update(DialogueQuestion).where(DialogueQuestion.id.in_(ids)).values(content="Sửa hàng loạt"))
    refused_below(db, sa.delete(DialogueAnswer).where(DialogueAnswer.question_id.in_(ids)))
    refused_below(db, sa.delete(DialogueQuestion).where(DialogueQuestion.dialogue_id == approved.id))
    refused_below(db, sa.delete(Dialogue).where(Dialogue.id == approved.id))
    refused_below(db, sa.update(C).where(C.c.question_id.in_(ids)).values(description="Hứa khác"))
    refused_below(db, sa.insert(DialogueLeader.__table__).values(dialogue_id=approved.id, name="Thêm", position=9))
    refused_below(db, sa.insert(DialogueStatusChange.__table__).values(dialogue_id=approved.id, status="held",
                                                                       note="", created_dt=sa.func.now()))
    assert {q.content for q in db.session.get(Dialogue, approved.id).questions} == {
        "Nội dung ý kiến thử số 1", "Nội dung ý kiến thử số 2"}


def test_follow_up_still_writes_below_the_orm(db, locked, agencies):
    """The columns follow-up owns stay writable, also by a script; the promise does not."""
    approved, _other = locked
    commitment = approved.questions[0].commitments[0]
    db.session.execute(sa.update(C).where(C.c.id == commitment.id).values(status="in_progress",
                                                                          deadline=clock.today() + timedelta(days=90)))
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Commitment, commitment.id).status is CommitmentStatus.in_progress
    # The forward of follow-up passes (source closed as forwarded, with its event).
    from dialogues.services import follow_up

    follow_up.forward_commitment(db.session.get(Commitment, commitment.id), None, agencies["VHXH-02020"].id,
                                 "Chuyển cơ quan khác")
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(C).where(C.c.forwarded_from_id == commitment.id)) == 1


def test_edits_of_unlocked_dialogues_still_go_through(db, locked):
    _approved, other = locked
    db.session.execute(sa.update(Q).where(Q.c.dialogue_id == other.id).values(content="Sửa khi chưa duyệt"))
    db.session.commit()
    assert db.session.scalar(sa.select(Q.c.content).where(Q.c.dialogue_id == other.id)) == "Sửa khi chưa duyệt"


def test_bulk_writes_are_audited(db, locked):
    _approved, other = locked
    question = other.questions[0]
    old = question.content
    db.session.execute(sa.update(DialogueQuestion).where(DialogueQuestion.id == question.id)
                       .values(content="Sửa hàng loạt"))
    db.session.execute(sa.delete(DialogueAnswer).where(DialogueAnswer.question_id == question.id))
    db.session.commit()
    logs = db.session.scalars(sa.select(AuditLog).where(AuditLog.object_type.in_(["DialogueQuestion",
                                                                                    "DialogueAnswer"]),
                                                        AuditLog.action.in_(["update", "delete"]))
                              .order_by(AuditLog.id)).all()
    update = next(log for log in logs if log.action == "update" and log.object_id == question.id)
    assert update.before == {"content": old} and update.after == {"content": "Sửa hàng loạt"}
    assert update.unit_id == other.unit_id
    delete = next(log for log in logs if log.action == "delete" and log.object_type == "DialogueAnswer")
    assert delete.before["question_id"] == question.id and delete.after is None
