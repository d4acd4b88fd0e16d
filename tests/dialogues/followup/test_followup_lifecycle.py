"""The commitment state machine on the model: every transition, the refused ones (nothing
changes, a clear message), forwarding, reopening, extensions versus overdue, and the timeline."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.services import ServiceError
from dialogues.models import (Commitment, CommitmentEvent, CommitmentEventKind, CommitmentStatus,
                              PermanentRecordError)
from dialogues.services import follow_up

S = CommitmentStatus
ALLOWED = [
    (S.open, S.in_progress), (S.open, S.not_feasible),
    (S.in_progress, S.resolved), (S.in_progress, S.partly_resolved), (S.in_progress, S.not_feasible),
]
CLOSED = [S.resolved, S.partly_resolved, S.not_feasible, S.forwarded]


def bring_to(commitment, status, actor, agencies=None):
    """Walk a commitment to ``status`` through allowed transitions."""
    if status is S.open:
        return
    if status is S.forwarded:
        commitment.forward(agencies["VHXH-02020"], actor, "Chuyển")
        return
    if status is not S.not_feasible:
        commitment.move_to(S.in_progress, actor, "Bắt đầu")
    if status not in (S.in_progress,):
        commitment.move_to(status, actor, "Lý do, kết quả")


def events(db, commitment) -> list[CommitmentEvent]:
    return list(db.session.scalars(sa.select(CommitmentEvent).where(CommitmentEvent.commitment_id == commitment.id)
                                   .order_by(CommitmentEvent.id)))


@pytest.mark.parametrize("start, target", ALLOWED, ids=lambda s: s.value)
def test_allowed_transition_changes_status_and_leaves_a_history_row(db, commitment, ubnd_user, start, target):
    bring_to(commitment, start, ubnd_user)
    db.session.commit()
    before = len(events(db, commitment))
    event = commitment.move_to(target, ubnd_user, "Ghi chú của cơ quan")
    db.session.commit()
    assert commitment.status is target
    rows = events(db, commitment)
    assert len(rows) == before + 1 and rows[-1].id == event.id
    assert (rows[-1].kind, rows[-1].status_from, rows[-1].status_to) == (CommitmentEventKind.status, start, target)
    assert rows[-1].user_id == ubnd_user.id and rows[-1].actor_agency_id == ubnd_user.agency_id
    assert rows[-1].created_dt is not None and rows[-1].note == "Ghi chú của cơ quan"


@pytest.mark.parametrize("start, target, message", [
    (S.open, S.resolved, "hãy chuyển sang “Đang thực hiện” trước"),
    (S.open, S.partly_resolved, "hãy chuyển sang “Đang thực hiện” trước"),
    (S.in_progress, S.open, "Không thể chuyển cam kết từ “Đang thực hiện” sang “Chưa thực hiện”"),
    (S.in_progress, S.in_progress, "đang ở trạng thái “Đang thực hiện” rồi"),
    (S.resolved, S.in_progress, "hãy mở lại cam kết và ghi lý do"),
    (S.resolved, S.partly_resolved, "hãy mở lại cam kết và ghi lý do"),
    (S.partly_resolved, S.resolved, "hãy mở lại cam kết và ghi lý do"),
    (S.not_feasible, S.in_progress, "hãy mở lại cam kết và ghi lý do"),
    (S.forwarded, S.in_progress, "hãy mở lại cam kết và ghi lý do"),
    (S.open, S.forwarded, "hãy chọn cơ quan nhận chuyển"),
], ids=lambda v: v.value if isinstance(v, S) else "")
def test_refused_transition_changes_nothing(db, commitment, ubnd_user, agencies, start, target, message):
    bring_to(commitment, start, ubnd_user, agencies)
    db.session.commit()
    before = len(events(db, commitment))
    with pytest.raises(ServiceError) as refused:
        commitment.move_to(target, ubnd_user, "Ghi chú")
    assert message in refused.value.message
    db.session.commit()
    assert commitment.status is start and len(events(db, commitment)) == before


def test_not_feasible_needs_the_reason(db, commitment, ubnd_user):
    with pytest.raises(ServiceError) as refused:
        commitment.move_to(S.not_feasible, ubnd_user, "   ")
    assert refused.value.field == "note" and "lý do" in refused.value.message
    commitment.move_to(S.not_feasible, ubnd_user, "Ngoài thẩm quyền và không có nguồn kinh phí")
    db.session.commit()
    assert commitment.status is S.not_feasible and commitment.closed_on == date(2025, 6, 2)


def test_follow_up_waits_for_the_approved_minutes(db, make_dialogue, commitments_of, ubnd_user):
    draft = commitments_of(make_dialogue(approve=False))[0]
    with pytest.raises(ServiceError) as refused:
        draft.move_to(S.in_progress, ubnd_user)
    assert "chưa được duyệt" in refused.value.message
    assert draft.status is S.open and events(db, draft) == []


# --- forwarding ----------------------------------------------------------------------------

def test_forward_creates_the_linked_commitment_owned_by_the_receiving_agency(db, commitment, ubnd_user, agencies,
                                                                              commitments_of):
    commitment.move_to(S.in_progress, ubnd_user)
    copy = follow_up.forward_commitment(commitment, ubnd_user, agencies["SYT-19"].id, "Công văn số 45/UBND-VP")
    db.session.commit()
    db.session.expire_all()
    assert commitment.status is S.forwarded and commitment.closed_on == date(2025, 6, 2)
    assert copy.agency_id == agencies["SYT-19"].id and copy.status is S.open
    assert copy.forwarded_from_id == commitment.id and commitment.forwarded_to.id == copy.id  # linked both ways
    assert copy.question_id == commitment.question_id and copy.description == commitment.description
    assert copy.deadline == copy.original_deadline == date(2025, 6, 2)  # the old deadline had passed: today
    # The minutes list what was promised at the meeting; the copy is follow-up, not a new promise.
    assert [c.id for c in commitment.question.commitments] == [commitment.id]
    forward, received = events(db, commitment)[-1], events(db, copy)[0]
    assert (forward.kind, forward.agency_from_id, forward.agency_to_id, forward.linked_commitment_id) == (
        CommitmentEventKind.forward, agencies["UBND-02020"].id, agencies["SYT-19"].id, copy.id)
    assert (received.kind, received.linked_commitment_id, received.user_id) == (
        CommitmentEventKind.received, commitment.id, ubnd_user.id)
    assert forward.note == received.note == "Công văn số 45/UBND-VP"


def test_forward_keeps_a_future_deadline_unless_given_one(db, make_dialogue, commitments_of, ubnd_user, agencies):
    first, second = commitments_of(make_dialogue(items=[("UBND-02020", 60), ("UBND-02020", 60)]))
    kept = first.forward(agencies["SYT-19"], ubnd_user)
    given = second.forward(agencies["SYT-19"], ubnd_user, deadline=date(2025, 9, 1))
    assert kept.deadline == date(2025, 7, 1) and given.deadline == date(2025, 9, 1)


@pytest.mark.parametrize("target, message", [
    (None, "Hãy chọn cơ quan nhận chuyển."),
    ("UBND-02020", "phải khác cơ quan đang chịu trách nhiệm"),
    ("UBND-02086", "Không có cơ quan này trong danh sách cơ quan của đơn vị"),  # another commune's office
    ("INACTIVE", "Không có cơ quan này"),
])
def test_refused_forward_creates_nothing(db, commitment, ubnd_user, agencies, create_agency, units, count, target,
                                         message):
    if target == "INACTIVE":
        agency = create_agency("OLD-02020", units["02020"])
        agency.is_active = False
        db.session.commit()
        agency_id = agency.id
    else:
        agency_id = agencies[target].id if target else None
    before = count(Commitment)
    with pytest.raises(ServiceError) as refused:
        follow_up.forward_commitment(commitment, ubnd_user, agency_id)
    assert message in refused.value.message and refused.value.field == "agency_id"
    db.session.rollback()
    assert count(Commitment) == before and commitment.status is S.open and events(db, commitment) == []


def test_forward_refuses_a_deadline_in_the_past(db, commitment, ubnd_user, agencies, count):
    with pytest.raises(ServiceError) as refused:
        commitment.forward(agencies["SYT-19"], ubnd_user, deadline=date(2025, 5, 1))
    assert "không thể trước hôm nay" in refused.value.message
    assert commitment.status is S.open and count(Commitment) == 1


# --- reopening -----------------------------------------------------------------------------

@pytest.mark.parametrize("closed", [S.resolved, S.partly_resolved, S.not_feasible], ids=lambda s: s.value)
def test_reopen_a_closed_commitment_with_a_reason(db, commitment, ubnd_user, officer, closed):
    bring_to(commitment, closed, ubnd_user)
    db.session.commit()
    event = follow_up.reopen_commitment(commitment, officer, "Kiểm tra tại hội nghị kỳ sau: đường lại sạt lở")
    db.session.commit()
    assert commitment.status is S.open and commitment.closed_on is None
    assert (event.kind, event.status_from, event.status_to, event.user_id, event.actor_agency_id) == (
        CommitmentEventKind.reopen, closed, S.open, officer.id, None)
    commitment.move_to(S.in_progress, ubnd_user)  # and work goes on
    assert commitment.status is S.in_progress


@pytest.mark.parametrize("setup, reason, message", [
    ("open", "Lý do", "chưa kết thúc nên không cần mở lại"),
    ("resolved", "  ", "Hãy ghi lý do mở lại cam kết."),
    ("forwarded", "Lý do", "đang được xử lý ở đó"),
])
def test_refused_reopen_changes_nothing(db, commitment, ubnd_user, agencies, setup, reason, message):
    bring_to(commitment, S(setup), ubnd_user, agencies)
    db.session.commit()
    before = len(events(db, commitment))
    with pytest.raises(ServiceError) as refused:
        follow_up.reopen_commitment(commitment, ubnd_user, reason)
    assert message in refused.value.message
    assert commitment.status is S(setup) and len(events(db, commitment)) == before


def test_forwarded_commitment_reopens_once_the_receiving_agency_has_closed_it(db, commitment, ubnd_user, agencies):
    copy = commitment.forward(agencies["VHXH-02020"], ubnd_user)
    db.session.flush()  # two requests in life: the database lock sees the forward before the reopen
    copy.move_to(S.not_feasible, ubnd_user, "Không thuộc lĩnh vực văn hóa, trả lại UBND")
    follow_up.reopen_commitment(commitment, ubnd_user, "Văn hóa - Xã hội trả lại")
    db.session.commit()
    assert commitment.status is S.open and copy.status is S.not_feasible


# --- deadlines -----------------------------------------------------------------------------

def test_overdue_is_past_the_current_deadline_and_not_closed(db, commitment, clock_now):
    # due 1 June 2025
    clock_now.day = date(2025, 6, 1)
    assert not commitment.is_overdue
    clock_now.day = date(2025, 6, 2)
    assert commitment.is_overdue
    assert db.session.scalar(sa.select(sa.func.count(Commitment.id)).where(Commitment.is_overdue)) == 1


def test_extension_is_an_event_and_lifts_overdue_while_the_original_deadline_stays(db, commitment, ubnd_user,
                                                                                   clock_now):
    assert commitment.is_overdue
    event = follow_up.extend_deadline(commitment, ubnd_user, date(2025, 6, 30),
                                      "Quyết định số 12/QĐ-UBND cho phép gia hạn")
    db.session.commit()
    assert (commitment.deadline, commitment.original_deadline) == (date(2025, 6, 30), date(2025, 6, 1))
    assert not commitment.is_overdue and commitment.is_extended
    assert db.session.scalar(sa.select(sa.func.count(Commitment.id)).where(Commitment.is_overdue)) == 0
    assert (event.kind, event.deadline_from, event.deadline_to) == (
        CommitmentEventKind.extension, date(2025, 6, 1), date(2025, 6, 30))
    assert commitment.status is S.open  # an extension is not a status change
    clock_now.day = date(2025, 7, 1)
    assert commitment.is_overdue  # and the new deadline can pass too


def test_closed_commitment_is_never_overdue(db, commitment, ubnd_user):
    commitment.move_to(S.not_feasible, ubnd_user, "Không có kinh phí")
    assert not commitment.is_overdue and not commitment.overdue_on(date(2030, 1, 1))


@pytest.mark.parametrize("new, reason, message", [
    (None, "Lý do", "Hãy nhập thời hạn mới."),
    (date(2025, 6, 1), "Lý do", "Thời hạn mới phải sau thời hạn hiện tại (01/06/2025)."),
    (date(2025, 5, 20), "Lý do", "Thời hạn mới phải sau thời hạn hiện tại"),
    (date(2040, 1, 1), "Lý do", "Thời hạn không hợp lệ."),
    (date(2025, 7, 1), "", "Hãy ghi lý do gia hạn"),
])
def test_refused_extension_changes_nothing(db, commitment, ubnd_user, new, reason, message):
    with pytest.raises(ServiceError) as refused:
        follow_up.extend_deadline(commitment, ubnd_user, new, reason)
    assert message in refused.value.message
    db.session.rollback()
    assert commitment.deadline == date(2025, 6, 1) and events(db, commitment) == []


def test_closed_commitment_cannot_be_extended(db, commitment, ubnd_user):
    commitment.move_to(S.not_feasible, ubnd_user, "Không có kinh phí")
    with pytest.raises(ServiceError) as refused:
        commitment.extend_deadline(date(2025, 7, 1), ubnd_user, "Lý do")
    assert "đã kết thúc nên không gia hạn được" in refused.value.message


def test_authority_extends_at_most_twice_and_six_months_past_the_original_deadline(db, commitment, ubnd_user,
                                                                                  officer):
    # due 1 June 2025: the agency may move it to 1 December 2025 at the latest
    with pytest.raises(ServiceError) as refused:
        follow_up.extend_deadline(commitment, ubnd_user, date(2035, 6, 1), "Chờ nguồn vốn")
    assert "chỉ được gia hạn đến 01/12/2025" in refused.value.message and refused.value.field == "deadline"
    db.session.rollback()
    assert commitment.deadline == date(2025, 6, 1) and events(db, commitment) == []
    follow_up.extend_deadline(commitment, ubnd_user, date(2025, 7, 1), "Chờ nguồn vốn")
    follow_up.extend_deadline(commitment, ubnd_user, date(2025, 12, 1), "Chờ nguồn vốn đợt 2")
    db.session.commit()
    with pytest.raises(ServiceError) as refused:
        follow_up.extend_deadline(commitment, ubnd_user, date(2025, 12, 2), "Lần thứ ba")
    assert "đã được gia hạn 2 lần" in refused.value.message and "Hội Liên hiệp Phụ nữ" in refused.value.message
    db.session.rollback()
    assert commitment.deadline == date(2025, 12, 1) and commitment.extension_count == 2
    # the union accepts it: an officer records the third, longer extension
    follow_up.extend_deadline(commitment, officer, date(2026, 6, 30), "Hội chấp thuận theo công văn số 5")
    db.session.commit()
    assert (commitment.deadline, commitment.original_deadline) == (date(2026, 6, 30), date(2025, 6, 1))
    assert commitment.extension_count == 3


def test_extension_in_the_past_is_refused(db, make_dialogue, commitments_of, ubnd_user, clock_now):
    commitment = commitments_of(make_dialogue(items=[("UBND-02020", 10)]))[0]  # due 12 May
    with pytest.raises(ServiceError) as refused:
        commitment.extend_deadline(date(2025, 5, 20), ubnd_user, "Lý do")  # later than 12 May, before today
    assert "không thể trước hôm nay" in refused.value.message


# --- the timeline --------------------------------------------------------------------------

def test_every_change_leaves_its_row_with_who_and_when(db, commitment, ubnd_user, officer, agencies):
    follow_up.update_commitment(commitment, ubnd_user, status=S.in_progress, note="Bắt đầu rà soát")
    follow_up.update_commitment(commitment, officer, note="Hội đã nhắc tại buổi giao ban")
    follow_up.extend_deadline(commitment, ubnd_user, date(2025, 7, 1), "Chờ nguồn vốn")
    follow_up.update_commitment(commitment, ubnd_user, status=S.resolved, note="Đã gửi danh sách")
    follow_up.reopen_commitment(commitment, officer, "Danh sách còn thiếu 2 hộ")
    follow_up.forward_commitment(commitment, officer, agencies["SYT-19"].id, "Chuyển Sở")
    db.session.commit()
    rows = events(db, commitment)
    assert [r.kind.value for r in rows] == ["status", "note", "extension", "status", "reopen", "forward"]
    assert [r.user_id for r in rows] == [ubnd_user.id, officer.id, ubnd_user.id, ubnd_user.id, officer.id, officer.id]
    assert [r.actor_agency_id for r in rows] == [agencies["UBND-02020"].id, None, agencies["UBND-02020"].id,
                                                 agencies["UBND-02020"].id, None, None]
    assert all(r.created_dt is not None and r.created_dt.tzinfo is not None for r in rows)


def test_timeline_rows_are_never_changed_or_deleted(db, commitment, ubnd_user):
    event = commitment.move_to(S.in_progress, ubnd_user, "Bắt đầu")
    db.session.commit()
    event.note = "Sửa lại lịch sử"
    with pytest.raises(PermanentRecordError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(CommitmentEvent, event.id))
    with pytest.raises(PermanentRecordError):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(CommitmentEvent, event.id).note == "Bắt đầu"


def test_a_commitment_with_history_cannot_be_deleted_even_bypassing_the_orm(db, commitment, ubnd_user):
    commitment.move_to(S.in_progress, ubnd_user)
    db.session.commit()
    with pytest.raises(IntegrityError):
        with db.engine.begin() as conn:
            conn.execute(sa.delete(Commitment.__table__).where(Commitment.__table__.c.id == commitment.id))
    assert db.session.get(Commitment, commitment.id) is not None


def test_resubmitted_update_records_once(db, commitment, ubnd_user, count):
    first = follow_up.update_commitment(commitment, ubnd_user, status=S.in_progress, note="Bắt đầu", token="tok-1")
    db.session.commit()
    again = follow_up.update_commitment(commitment, ubnd_user, status=S.in_progress, note="Bắt đầu", token="tok-1")
    assert again.id == first.id and count(CommitmentEvent) == 1


def test_update_needs_something_to_record(db, commitment, ubnd_user, count):
    with pytest.raises(ServiceError) as refused:
        follow_up.update_commitment(commitment, ubnd_user, note="   ")
    assert "Hãy chọn trạng thái mới" in refused.value.message and count(CommitmentEvent) == 0


def test_status_update_with_too_long_note_is_refused_before_any_change(db, commitment, ubnd_user):
    with pytest.raises(ServiceError) as refused:
        follow_up.update_commitment(commitment, ubnd_user, status=S.in_progress, note="x" * 5001)
    assert "dài quá 5000 ký tự" in refused.value.message
    assert commitment.status is S.open and events(db, commitment) == []


def test_overdue_expression_matches_python_on_many_dates(db, make_dialogue, commitments_of, ubnd_user, clock_now):
    rows = commitments_of(make_dialogue(items=[("UBND-02020", d) for d in (5, 20, 30, 31, 45)]))
    rows[0].move_to(S.in_progress, ubnd_user)
    rows[1].move_to(S.not_feasible, ubnd_user, "Không khả thi")
    rows[2].extend_deadline(date(2025, 6, 20), ubnd_user, "Gia hạn")
    db.session.commit()
    for offset in range(-40, 40, 3):
        day = date(2025, 6, 2) + timedelta(days=offset)
        in_sql = set(db.session.scalars(sa.select(Commitment.id).where(Commitment.overdue_on(day))))
        assert in_sql == {c.id for c in rows if c.overdue_on(day)}
