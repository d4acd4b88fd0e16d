"""Follow-up indicators: the SQL aggregates of ``followup_indicators`` against a slow reference
written here in plain Python over every row, on a data set with several units, periods,
extensions, forwarded and overdue items; plus hand-checked figures, the CLI and the page."""
import json
import statistics
from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa

from app.models import Role, Unit
from dialogues import services
from dialogues.follow_up.indicators import followup_indicators
from dialogues.models import (AnswerOutcome, Commitment, CommitmentStatus, Dialogue, DialogueLevel, DialogueStatus,
                              QuestionOrigin)
from dialogues.services import CommitmentRow, DialogueData, QuestionRow
from dialogues.services import follow_up

S = CommitmentStatus
TODAY = date(2025, 6, 2)


def reference(db, unit: Unit, date_from: date, date_to: date, today: date) -> dict:
    """The indicators the slow way: load everything, filter and count in Python."""
    dialogues = [d for d in db.session.scalars(sa.select(Dialogue)).all()
                 if unit.contains(d.unit) and date_from <= d.held_on <= date_to
                 and d.status in (DialogueStatus.held, DialogueStatus.approved)]
    ids = {d.id for d in dialogues}
    raised = [q for d in dialogues for q in d.questions if q.is_raised]
    every = [c for c in db.session.scalars(sa.select(Commitment)).all() if c.question.dialogue_id in ids]
    rows = [c for c in every if not c.is_petition]
    petitions = [c for c in every if c.is_petition]
    status = {s: sum(1 for c in rows if c.status is s) for s in S}
    resolved = [c for c in rows if c.status is S.resolved]
    on_time = sum(1 for c in resolved if c.closed_on <= c.deadline)
    durations = [(c.closed_on - c.question.dialogue.held_on).days for c in resolved]
    handed_over = sum(1 for c in rows if c.status is S.forwarded)

    def share(a, b):
        return round(a / b, 4) if b else None
    answered = sum(1 for q in raised if q.answer and q.answer.outcome is AnswerOutcome.answered)
    return {
        "questions_raised": len(raised),
        "answered_on_spot": answered,
        "forwarded_at_dialogue": sum(1 for q in raised if q.answer and q.answer.outcome is AnswerOutcome.forwarded),
        "committed": sum(1 for c in rows if c.forwarded_from_id is None),
        "forwarded_copies": sum(1 for c in rows if c.forwarded_from_id is not None),
        **{s.value: n for s, n in status.items()},
        "overdue": sum(1 for c in rows if c.status in (S.open, S.in_progress) and c.deadline < today),
        "resolved_on_time": on_time,
        "resolved_by_original_deadline": sum(1 for c in resolved if c.closed_on <= c.original_deadline),
        "questions_repeated": sum(1 for q in raised if q.repeat_of_id is not None),
        "petitions_forwarded": sum(1 for c in petitions if c.forwarded_from_id is None),
        "petitions_followed": sum(1 for c in petitions if c.status is not S.forwarded),
        "petitions_resolved": sum(1 for c in petitions if c.status is S.resolved),
        "petitions_overdue": sum(1 for c in petitions if c.status in (S.open, S.in_progress) and c.deadline < today),
        "median_days_to_resolve": statistics.median(durations) if durations else None,
        "share_answered_on_spot": share(answered, len(raised)),
        "share_resolved": share(len(resolved), len(rows) - handed_over),
        "share_resolved_on_time": share(on_time, len(resolved)),
        "share_resolved_by_original_deadline": share(sum(1 for c in resolved if c.closed_on <= c.original_deadline),
                                                     len(resolved)),
    }


@pytest.fixture
def dataset(db, units, agencies, categories, create_user, clock_now):
    """Dialogues in Chợ Đồn, Chợ Mới and the province, in and out of the 2025 period, with every
    outcome; transitions happen on chosen days (the clock moves)."""
    actor = create_user(Role.commune, "19")
    ag = {code: a.id for code, a in agencies.items()}

    def dialogue(unit, held_on, questions, approve=True, level=DialogueLevel.commune, hold=True):
        d = services.create_dialogue(DialogueData(
            title=f"Đối thoại {unit} {held_on}", level=level, unit_id=units[unit].id, held_on=held_on,
            start_time=time(8), end_time=time(11), chair_name="Chủ trì", secretary_name="Thư ký",
            attendance_total=30, attendance_women=25, attendance_minority=20), None)
        services.save_question_rows(d, questions, None)
        if hold and d.status is DialogueStatus.planned:
            services.mark_held(d, None)
        if approve:
            services.approve_minutes(d, None)
        return d

    def q(outcome=None, commitments=(), raised=True, forwarded_to=None):
        return QuestionRow(content="Kiến nghị", raiser_name="Người nêu", is_raised=raised,
                           origin=QuestionOrigin.on_day if raised else QuestionOrigin.collected,
                           answer="Trả lời" if outcome else "", outcome=outcome, forwarded_agency_id=forwarded_to,
                           commitments=[CommitmentRow(agency_id=ag[code], description=f"Cam kết {code}",
                                                      deadline=held + timedelta(days=days))
                                        for code, held, days in commitments])

    a_day, b_day, c_day, p_day = date(2025, 3, 3), date(2025, 4, 10), date(2024, 12, 20), date(2025, 5, 5)
    A = dialogue("02020", a_day, [
        q(AnswerOutcome.accepted, [("UBND-02020", a_day, 30)]),            # resolved in time (day 20)
        q(AnswerOutcome.accepted, [("VHXH-02020", a_day, 20)]),            # extended, resolved late vs original
        q(AnswerOutcome.answered),
        q(AnswerOutcome.forwarded, [("UBND-02020", a_day, 10)], forwarded_to=ag["SYT-19"]),  # forwarded, copy resolved
        q(AnswerOutcome.noted),
        q(None, raised=False),
        q(AnswerOutcome.accepted, [("UBND-02020", a_day, 40), ("VHXH-02020", a_day, 100)]),  # overdue; not yet due
    ])
    B = dialogue("02086", b_day, [
        q(AnswerOutcome.accepted, [("UBND-02086", b_day, 15)]),  # not feasible
        q(AnswerOutcome.accepted, [("UBND-02086", b_day, 25)]),  # partly resolved, late
        q(AnswerOutcome.accepted, [("UBND-02086", b_day, 30)]),  # in progress, overdue
        q(AnswerOutcome.accepted, [("UBND-02086", b_day, 40)]),  # extended past today: not overdue
        q(AnswerOutcome.answered), q(AnswerOutcome.answered),
    ])
    C = dialogue("02020", c_day, [q(AnswerOutcome.accepted, [("UBND-02020", c_day, 30)]), q(AnswerOutcome.answered)])
    P = dialogue("19", p_day, [q(AnswerOutcome.accepted, [("SYT-19", p_day, 20)])], level=DialogueLevel.province)
    dialogue("02086", date(2025, 5, 20), [q(AnswerOutcome.accepted, [("UBND-02086", date(2025, 5, 20), 5)]),
                                          q(AnswerOutcome.answered)], approve=False)  # held, minutes pending
    # planned only: a meeting still ahead (a past date would make it held at once)
    dialogue("02020", date(2025, 6, 25), [q(AnswerOutcome.answered)], approve=False, hold=False)
    db.session.commit()

    def rows(d):
        return sorted((c for qn in d.questions for c in qn.commitments), key=lambda c: (c.question.number, c.id))

    def on(day, fn, *args, **kw):
        clock_now.day = day
        return fn(*args, **kw)

    a1, a2, a4, a7, a7b = rows(A)
    on(a_day + timedelta(days=5), a1.move_to, S.in_progress, actor)
    on(a_day + timedelta(days=20), a1.move_to, S.resolved, actor, "Xong")
    on(a_day + timedelta(days=10), a2.extend_deadline, a_day + timedelta(days=60), actor, "Gia hạn hợp lệ")
    on(a_day + timedelta(days=11), a2.move_to, S.in_progress, actor)
    on(a_day + timedelta(days=45), a2.move_to, S.resolved, actor, "Xong")
    copy = on(a_day + timedelta(days=3), a4.forward, db.session.get(type(agencies["SYT-19"]), ag["SYT-19"]), actor,
              "Chuyển Sở", a_day + timedelta(days=50))
    db.session.flush()
    on(a_day + timedelta(days=4), copy.move_to, S.in_progress, actor)
    on(a_day + timedelta(days=70), copy.move_to, S.resolved, actor, "Sở đã bố trí")
    on(a_day + timedelta(days=2), a7.move_to, S.in_progress, actor)
    b1, b2, b3, b4 = rows(B)
    on(b_day + timedelta(days=3), b1.move_to, S.not_feasible, actor, "Không có kinh phí")
    on(b_day + timedelta(days=4), b2.move_to, S.in_progress, actor)
    on(b_day + timedelta(days=35), b2.move_to, S.partly_resolved, actor, "Được một nửa")
    on(b_day + timedelta(days=5), b3.move_to, S.in_progress, actor)
    on(b_day + timedelta(days=20), b4.extend_deadline, date(2025, 7, 1), actor, "Gia hạn")
    (c1,) = rows(C)
    on(c_day + timedelta(days=1), c1.move_to, S.in_progress, actor)
    on(c_day + timedelta(days=12), c1.move_to, S.resolved, actor, "Xong")
    on(c_day + timedelta(days=13), follow_up.reopen_commitment, c1, actor, "Chưa xong")
    on(c_day + timedelta(days=14), c1.move_to, S.in_progress, actor)
    on(c_day + timedelta(days=16), c1.move_to, S.resolved, actor, "Xong hẳn")
    (p1,) = rows(P)
    on(p_day + timedelta(days=1), p1.move_to, S.in_progress, actor)
    on(p_day + timedelta(days=9), p1.move_to, S.resolved, actor, "Xong")
    clock_now.day = TODAY
    db.session.commit()
    return units


PERIODS = [
    ("19", date(2025, 1, 1), date(2025, 12, 31)),
    ("02020", date(2025, 1, 1), date(2025, 12, 31)),
    ("02086", date(2025, 1, 1), date(2025, 12, 31)),
    ("VN", date(2000, 1, 1), date(2030, 12, 31)),
    ("02020", date(2024, 12, 1), date(2025, 3, 3)),
    ("02020", date(2024, 1, 1), date(2024, 12, 31)),
    ("08", date(2025, 1, 1), date(2025, 12, 31)),
    ("ban_ca", date(2025, 1, 1), date(2025, 12, 31)),
]


@pytest.mark.parametrize("unit, date_from, date_to", PERIODS)
def test_sql_indicators_match_the_slow_reference(db, dataset, unit, date_from, date_to):
    assert followup_indicators(dataset[unit], date_from, date_to, today=TODAY) == \
        reference(db, dataset[unit], date_from, date_to, TODAY)


@pytest.mark.parametrize("day", [date(2025, 4, 1), date(2025, 5, 15), date(2025, 8, 1)])
def test_overdue_depends_on_the_day_asked(db, dataset, day):
    assert followup_indicators(dataset["19"], date(2025, 1, 1), date(2025, 12, 31), today=day) == \
        reference(db, dataset["19"], date(2025, 1, 1), date(2025, 12, 31), day)


def test_hand_checked_figures_for_cho_don_2025(db, dataset):
    got = followup_indicators(dataset["02020"], date(2025, 1, 1), date(2025, 12, 31), today=TODAY)
    # Dialogue of 3 March: 6 raised questions (one collected, not raised), 1 answered, 1 forwarded there.
    assert (got["questions_raised"], got["answered_on_spot"], got["forwarded_at_dialogue"]) == (6, 1, 1)
    # 5 commitments + the copy at the Department of Health.
    assert (got["committed"], got["forwarded_copies"]) == (5, 1)
    assert (got["resolved"], got["forwarded"], got["in_progress"], got["open"]) == (3, 1, 1, 1)
    # Due 12 April, in progress on 2 June: overdue. The one due 11 June is not.
    assert got["overdue"] == 1
    # Resolved on day 20 (due day 30), day 45 (due day 60 after extension, 20 originally), day 70 (copy due day 50).
    assert (got["resolved_on_time"], got["resolved_by_original_deadline"]) == (2, 1)
    # both views of "on time" as shares, as the dashboard shows them side by side
    assert (got["share_resolved_on_time"], got["share_resolved_by_original_deadline"]) == (
        round(2 / 3, 4), round(1 / 3, 4))
    assert got["median_days_to_resolve"] == 45
    assert got["share_resolved"] == round(3 / 5, 4) and got["share_answered_on_spot"] == round(1 / 6, 4)


def test_a_held_dialogue_counts_before_its_minutes_are_approved_and_a_planned_one_does_not(db, dataset):
    may = followup_indicators(dataset["19"], date(2025, 5, 20), date(2025, 5, 31), today=TODAY)
    assert (may["questions_raised"], may["committed"], may["overdue"]) == (2, 1, 1)


def test_cli_prints_the_same_figures_as_json(db, runner, dataset):
    result = runner.invoke(args=["dialogues", "indicators", "--unit", "19", "--from", "2025-01-01",
                                 "--to", "2025-12-31"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert printed.pop("unit") == "19" and printed.pop("as_of") == "2025-06-02"
    assert (printed.pop("date_from"), printed.pop("date_to")) == ("2025-01-01", "2025-12-31")
    assert printed == reference(db, dataset["19"], date(2025, 1, 1), date(2025, 12, 31), TODAY)


@pytest.mark.parametrize("args, message", [
    (["--unit", "99999", "--from", "2025-01-01", "--to", "2025-12-31"], "Không có đơn vị hành chính mã"),
    (["--unit", "19", "--from", "2025-12-31", "--to", "2025-01-01"], "--from phải trước"),
    (["--unit", "19", "--from", "01/01/2025", "--to", "2025-12-31"], "Invalid value"),
])
def test_cli_refuses_bad_arguments(runner, units, args, message):
    result = runner.invoke(args=["dialogues", "indicators", *args])
    assert result.exit_code != 0 and message in result.output


def test_indicators_page(client, login_as, dataset):
    login_as(Role.commune, "02020")
    page = client.get("/dialogues/indicators?date_from=2025-01-01&date_to=2025-12-31").get_data(as_text=True)
    assert "Xã Chợ Đồn, các cuộc đối thoại từ 01/01/2025 đến 31/12/2025" in page
    assert "<td>Giải quyết đúng hạn (theo thời hạn hiện hành)</td><td class=\"num\">2</td>" in page
    assert "60,0%" in page  # share resolved 3/5


@pytest.mark.parametrize("query, message", [
    ("unit_id=OTHER", "Hãy chọn một đơn vị trong phạm vi của bạn."),
    ("unit_id=abc", "Lựa chọn không hợp lệ."),
    ("date_from=2025-12-31&date_to=2025-01-01", "“Đến ngày” phải sau “Từ ngày”."),
    ("date_from=32/01/2025", "Ngày không hợp lệ"),
])
def test_indicators_page_bad_input(client, login_as, dataset, query, message):
    login_as(Role.commune, "02020")
    response = client.get("/dialogues/indicators?" + query.replace("OTHER", str(dataset["02086"].id)))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page and "Số liệu" not in page
