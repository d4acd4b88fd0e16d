"""Dashboard figures against the slow reference (every row loaded, counted in Python) for a unit
and its children, several periods, and communes that moved (merged communes keep their history);
plus a constant number of queries whatever the amount of data."""
from datetime import date

import pytest

from app import services as core
from app.indicators.dashboard import CHILD, SELF, compute_dashboard
from app.indicators.periods import Period
from app.models import Sex
from dialogues.models import AnswerOutcome, CommitmentStatus

from indicators_reference import TODAY, assert_figures_equal, reference

F, M = Sex.female, Sex.male
S = CommitmentStatus
A = AnswerOutcome


@pytest.fixture
def dataset(db, units, commune, make_training, make_dialogue):
    """Trainings and dialogues in two communes of Thái Nguyên, a third commune (Bình Trung) that
    is later merged into Chợ Đồn, the province itself, another province, and outside 2025."""
    binh_trung = commune("02050", "Xã Bình Trung")
    far = commune("09001", "Xã Xa", parent="08")
    units.update({"02050": binh_trung, "09001": far})
    # Trainings: (sex, ethnicity, right before, right after) of 4 (or 5) true/false questions.
    make_training("ban_ca", date(2025, 3, 10), [(F, "09", 1, 3), (F, "02", 2, 4), (M, "02", 2, 2), (F, "01", 3, 4),
                                                (F, "08", 0, 2), (F, None, 1, None)])
    make_training("02020", date(2025, 5, 2), [(F, "09", 2, 2), (M, "01", 1, 4)], topic="Phòng chống mua bán người")
    make_training("02086", date(2025, 4, 5), [(F, "02", 3, 5), (F, "07", 1, 4), (M, "07", None, 3), (F, "01", 2, 2)],
                  questions=5, topic="Phòng chống bạo lực gia đình")
    make_training("02050", date(2025, 2, 1), [(F, "09", 0, 3), (F, "09", 1, 4), (F, "02", 2, 3), (M, "02", 4, 4),
                                              (F, "02", 2, 3)])
    make_training("02020", date(2024, 11, 20), [(F, "09", 1, 2)])                   # last year
    make_training("02086", date(2025, 7, 1), [(F, "02", None, None)])                # not held yet on TODAY
    make_training(far, date(2025, 3, 1), [(F, "09", 1, 2), (F, "09", 0, 4)])        # another province
    # Dialogues.
    make_dialogue("02020", date(2025, 3, 3), [
        (A.accepted, [(30, [(5, S.in_progress), (20, S.resolved)])]),               # resolved in time
        (A.accepted, [(20, [(10, ("extend", 60)), (11, S.in_progress), (45, S.resolved)])]),
        A.answered, A.forwarded, A.noted,
        (A.accepted, [(40, [(2, S.in_progress)]), (100, [])]),                      # overdue; not yet due
    ], raised_extra_unraised=True)
    make_dialogue("02086", date(2025, 4, 10), [
        (A.accepted, [(15, [(3, S.not_feasible)])]),
        (A.accepted, [(25, [(4, S.in_progress), (35, S.partly_resolved)])]),
        (A.accepted, [(30, [(5, S.in_progress)])]),
        A.answered, A.answered,
    ], attendance=(60, 45, 50))
    make_dialogue("02050", date(2025, 2, 15), [(A.accepted, [(10, [(1, S.in_progress), (8, S.resolved)])]),
                                               A.answered], attendance=(25, 25, 20))
    make_dialogue("19", date(2025, 5, 5), [(A.accepted, [(20, [(1, S.in_progress), (9, S.resolved)])])],
                  attendance=(80, 50, 40))
    make_dialogue("02020", date(2024, 12, 20), [(A.accepted, [(30, [(1, S.in_progress), (12, S.resolved)])])])
    make_dialogue("02086", date(2025, 5, 20), [(A.accepted, [(5, [])]), A.answered], status="held")
    make_dialogue("02020", date(2025, 5, 25), [A.answered], status="planned")
    make_dialogue(far, date(2025, 3, 15), [A.answered, A.answered])
    return units


def check(db, units, code, date_from, date_to):
    unit = units[code]
    dashboard = compute_dashboard(unit, Period("custom", date_from, date_to), TODAY)
    expected = reference(db, unit, date_from, date_to, TODAY)
    assert_figures_equal(dashboard.total, expected.pop("total"))
    rows = {r.code: r for r in dashboard.rows}
    for code_, figures in expected.items():
        assert_figures_equal(rows[code_].figures, figures)
    # Children without records are listed with zeros; nothing else appears.
    assert all(r.kind == CHILD or r.code == unit.code for r in dashboard.rows)
    for row in dashboard.rows:
        if row.code not in expected:
            assert not row.has_records and row.kind == CHILD
    return dashboard


PERIODS = [
    ("19", date(2025, 1, 1), date(2025, 12, 31)),
    ("19", date(2025, 4, 1), date(2025, 6, 30)),
    ("19", date(2024, 1, 1), date(2025, 12, 31)),
    ("02020", date(2025, 1, 1), date(2025, 12, 31)),
    ("02086", date(2025, 1, 1), date(2025, 12, 31)),
    ("VN", date(2000, 1, 1), date(2030, 12, 31)),
    ("08", date(2025, 1, 1), date(2025, 12, 31)),
    ("ban_ca", date(2025, 1, 1), date(2025, 12, 31)),
]


@pytest.mark.parametrize("code, date_from, date_to", PERIODS)
def test_figures_match_the_slow_reference(db, dataset, code, date_from, date_to):
    check(db, dataset, code, date_from, date_to)


def test_hand_checked_province_2025(db, dataset):
    d = compute_dashboard(dataset["19"], Period.year(2025), TODAY)
    t = d.total
    # Held by 2 June: Bản Ca, Chợ Đồn, Chợ Mới, Bình Trung (the July one is not held yet).
    assert (t["trainings_held"], t["training_participants"], t["training_women"]) == (4, 17, 13)
    # Minority: everyone but the three Kinh ("01") and the one without ethnicity.
    assert t["training_minority"] == 13
    # Dialogues held or approved in 2025: Chợ Đồn (Mar), Chợ Mới (Apr, May held), Bình Trung, the province.
    assert (t["dialogues_held"], t["dialogue_participants"]) == (5, 30 + 60 + 30 + 25 + 80)
    rows = {r.code: r for r in d.rows}
    assert rows["19"].kind == SELF and rows["19"].figures["dialogues_held"] == 1
    assert rows["02050"].figures["trainings_held"] == 1
    topics = {topic["name"]: topic for topic in d.topics}
    assert topics["Bình đẳng giới"]["trainings_held"] == 2 and topics["Bình đẳng giới"]["knowledge_pairs"] == 10
    assert {g["name"]: g["participants"] for g in d.ethnic_groups}["Dao"] == 4
    assert {g["label"]: g["count"] for g in d.attendance_groups}["Hội viên, phụ nữ"] == 100  # by kind (GROUP_KINDS)


def test_a_merged_commune_counts_under_its_new_parent_with_its_history(db, dataset):
    """Bình Trung is merged into Chợ Đồn: its records now count in Chợ Đồn's row of the province
    and as a row of its own under Chợ Đồn; the province total does not change."""
    year = Period.year(2025)
    before = compute_dashboard(dataset["19"], year, TODAY)
    core.move_unit(dataset["02050"], dataset["02020"])
    db.session.commit()
    after = check(db, dataset, "19", date(2025, 1, 1), date(2025, 12, 31))
    assert after.total == before.total
    rows_before = {r.code: r.figures for r in before.rows}
    rows_after = {r.code: r.figures for r in after.rows}
    assert "02050" not in rows_after
    for key in ("trainings_held", "training_participants", "dialogues_held", "questions_raised", "committed"):
        assert rows_after["02020"][key] == rows_before["02020"][key] + rows_before["02050"][key]
    cho_don = check(db, dataset, "02020", date(2025, 1, 1), date(2025, 12, 31))
    assert {r.code for r in cho_don.rows if r.has_records} >= {"02050"}


def test_a_commune_moved_from_another_province_brings_its_records(db, dataset):
    core.move_unit(dataset["09001"], dataset["19"])
    db.session.commit()
    dashboard = check(db, dataset, "19", date(2025, 1, 1), date(2025, 12, 31))
    assert {r.code: r for r in dashboard.rows}["09001"].figures["trainings_held"] == 1
    assert check(db, dataset, "08", date(2025, 1, 1), date(2025, 12, 31)).total["trainings_held"] == 0


def test_an_empty_unit_has_zeros_and_no_statistics(db, units):
    dashboard = compute_dashboard(units["19"], Period.year(2025), TODAY)
    assert dashboard.total["trainings_held"] == 0 and dashboard.total["mean_gain"] is None
    assert dashboard.total["median_days_to_resolve"] is None and dashboard.topics == []
    assert {r.code for r in dashboard.rows} == {"02020", "02086"}


def test_the_number_of_queries_does_not_grow_with_the_data(db, units, commune, make_training, make_dialogue,
                                                          statements):
    def dashboard():
        db.session.expire_all()
        compute_dashboard(units["19"], Period.year(2025), TODAY)
    make_training("02020", date(2025, 3, 1), [(F, "09", 1, 2)])
    make_dialogue("02020", date(2025, 3, 3), [(A.accepted, [(30, [(1, S.in_progress), (5, S.resolved)])])])
    small = len(statements(dashboard))
    for i in range(3):
        extra = commune(f"0300{i}", f"Xã Thêm {i}")
        make_training(extra, date(2025, 4, 1 + i), [(F, "09", 1, 3), (M, "02", 2, 4), (F, "01", 0, 1)],
                      topic=f"Chủ đề {i}")
        make_dialogue(extra, date(2025, 4, 2 + i), [A.answered, (A.accepted, [(20, [(2, S.in_progress)])])])
    assert len(statements(dashboard)) == small
