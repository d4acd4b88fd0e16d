"""Indicator definitions (administrators) and yearly targets (province officers): validation
before writing, scope, and progress on the dashboard measured from 1 January."""
from datetime import date

import pytest
import sqlalchemy as sa

from app.indicators import services
from app.indicators.dashboard import compute_dashboard
from app.indicators.models import Indicator, IndicatorTarget
from app.indicators.periods import Period
from app.indicators.targets import load_dashboard
from app.models import Role, Sex
from app.services import ServiceError
from dialogues.models import AnswerOutcome

from indicators_reference import TODAY

F = Sex.female


@pytest.fixture
def indicators(db):
    made = {
        "TH": services.save_indicator(None, code="DA8-TH", name="Số lớp tập huấn", unit_of_measure="lớp",
                                      figure="trainings_held", position=1),
        "NG": services.save_indicator(None, code="DA8-NG", name="Lượt người được tập huấn",
                                      unit_of_measure="lượt người", figure="training_participants", position=2),
        "GQ": services.save_indicator(None, code="DA8-GQ", name="Tỷ lệ kiến nghị được giải quyết",
                                      unit_of_measure="%", figure="share_answered_on_spot", position=3),
    }
    db.session.commit()
    return made


def test_admin_defines_an_indicator(client, login_as, db, units):
    login_as(Role.admin, "VN")
    response = client.post("/indicators/definitions/new", data={
        "code": "DA8-DT", "name": "Số cuộc đối thoại", "unit_of_measure": "cuộc", "figure": "dialogues_held",
        "position": "1", "is_active": "y"})
    assert response.status_code == 302
    indicator = db.session.scalar(sa.select(Indicator))
    assert (indicator.code, indicator.figure, indicator.is_active) == ("DA8-DT", "dialogues_held", True)


@pytest.mark.parametrize("field, value, message", [
    ("code", "", "Trường này là bắt buộc"),
    ("code", "DA8 TH", "chỉ gồm chữ không dấu"),
    ("code", "x" * 41, "Không được dài quá 40"),
    ("code", "da8-th", "đã có"),  # codes are unique whatever the case
    ("figure", "overdue", "Lựa chọn không hợp lệ"),
    ("figure", "drop table", "Lựa chọn không hợp lệ"),
    ("name", "", "Trường này là bắt buộc"),
    ("position", "abc", "Hãy nhập một số nguyên"),
    ("position", "99999999999", "Thứ tự phải từ -10000 đến 10000"),
])
def test_bad_definitions_are_refused_and_nothing_is_written(client, login_as, db, indicators, field, value, message):
    login_as(Role.admin, "VN")
    data = {"code": "DA8-NEW", "name": "Chỉ số mới", "unit_of_measure": "lớp", "figure": "trainings_held",
            "position": "0", **{field: value}}
    response = client.post("/indicators/definitions/new", data=data)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Indicator.id))) == 3


@pytest.mark.parametrize("role", [Role.province, Role.commune])
def test_only_administrators_define_indicators(client, login_as, indicators, role):
    login_as(role, "19" if role is Role.province else "02020")
    assert client.get("/indicators/definitions/new").status_code == 403
    assert client.get(f"/indicators/definitions/{indicators['TH'].id}/edit").status_code == 403
    assert client.get("/indicators/definitions/").status_code == 200


def test_editing_an_unknown_indicator_is_404(client, login_as, units):
    login_as(Role.admin, "VN")
    assert client.get("/indicators/definitions/999999/edit").status_code == 404


def test_province_officer_sets_targets_for_a_commune(client, login_as, db, indicators):
    user = login_as(Role.province, "19")
    response = client.post("/indicators/targets?unit=02020&year=2025", data={
        f"target_{indicators['TH'].id}": "4", f"target_{indicators['NG'].id}": "1.250",
        f"target_{indicators['GQ'].id}": "85,5"})
    assert response.status_code == 302
    targets = {t.indicator.code: t for t in db.session.scalars(sa.select(IndicatorTarget))}
    assert {code: t.target for code, t in targets.items()} == {"DA8-TH": 4, "DA8-NG": 1250, "DA8-GQ": 85.5}
    assert {t.unit.code for t in targets.values()} == {"02020"} and targets["DA8-TH"].updated_by_id == user.id
    # An emptied box removes the target; the others stay.
    client.post("/indicators/targets?unit=02020&year=2025", data={
        f"target_{indicators['TH'].id}": "", f"target_{indicators['NG'].id}": "1250",
        f"target_{indicators['GQ'].id}": "85,5"})
    assert db.session.scalar(sa.select(sa.func.count(IndicatorTarget.id))) == 2


@pytest.mark.parametrize("value, message", [
    ("abc", "Hãy nhập một số"), ("-5", "không được âm"), ("1e400", "Hãy nhập một số"), ("nan", "Hãy nhập một số"),
    ("2000000000", "phải là số từ 0"), ("9" * 50, "Hãy nhập một số"),
])
def test_bad_targets_are_refused_and_nothing_is_written(client, login_as, db, indicators, value, message):
    login_as(Role.province, "19")
    response = client.post("/indicators/targets?unit=19&year=2025", data={
        f"target_{indicators['TH'].id}": "10", f"target_{indicators['NG'].id}": value})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(IndicatorTarget.id))) == 0


@pytest.mark.parametrize("value, saved", [("100", 100), ("100,5", None), ("250", None)])
def test_a_rate_target_over_100_percent_is_refused(client, login_as, db, units, indicators, value, saved):
    login_as(Role.province, "19")
    response = client.post("/indicators/targets?unit=19&year=2025", data={f"target_{indicators['GQ'].id}": value})
    targets = db.session.scalars(sa.select(IndicatorTarget.target)).all()
    if saved is None:
        assert response.status_code == 422 and "không thể lớn hơn 100" in response.get_data(as_text=True)
        assert targets == []
    else:
        assert response.status_code == 302 and targets == [saved]
    # A count target has no such ceiling.
    assert services.save_targets(units["19"], 2025, {indicators["TH"].id: 250}, None) == 1


def test_the_dashboard_shows_a_rate_target_as_points(client, login_as, db, units, indicators, make_dialogue):
    make_dialogue("02020", date(2025, 5, 3), [AnswerOutcome.answered, AnswerOutcome.noted])
    services.save_targets(units["19"], 2025, {indicators["GQ"].id: 80}, None)
    db.session.commit()
    login_as(Role.province, "19")
    page = client.get("/indicators/?unit=19&period=year&year=2025").get_data(as_text=True)
    assert "-30,0 điểm %" in page and "62,5%" not in page


def test_targets_scope(client, login_as, indicators):
    login_as(Role.province, "19")
    assert client.get("/indicators/targets?unit=08").status_code == 404
    assert client.get("/indicators/targets?unit=19&year=1800").status_code == 404
    login_as(Role.commune, "02020")
    assert client.get("/indicators/targets?unit=02020").status_code == 403


def test_a_target_for_a_unit_out_of_scope_is_refused_by_the_service(db, units, indicators, create_user):
    officer = create_user(Role.province, "08")
    with pytest.raises(ServiceError):
        services.save_targets(units["19"], 2025, {indicators["TH"].id: 3}, officer)


def test_progress_is_measured_from_the_first_of_january(db, units, indicators, make_training, make_dialogue):
    make_training("02020", date(2025, 2, 1), [(F, "09", 1, 2)] * 2)
    make_training("02020", date(2025, 5, 1), [(F, "09", 1, 2)] * 3)
    make_dialogue("02020", date(2025, 5, 3), [AnswerOutcome.answered, AnswerOutcome.noted])
    services.save_targets(units["19"], 2025, {indicators["TH"].id: 4, indicators["NG"].id: 10,
                                              indicators["GQ"].id: 80}, None)
    services.save_targets(units["02020"], 2025, {indicators["TH"].id: 2}, None)
    db.session.commit()
    quarter = load_dashboard(units["19"], Period.quarter(2025, 2), TODAY)
    assert quarter.total["trainings_held"] == 1  # the quarter's own figure
    progress = {p["code"]: p for p in quarter.progress}
    assert (progress["DA8-TH"]["actual"], progress["DA8-TH"]["target"], progress["DA8-TH"]["percent"]) == (2, 4, 50.0)
    assert progress["DA8-NG"]["percent"] == 50.0
    # A rate against a rate target: 50 % against 80 % is 30 points short, not "62.5 % achieved".
    assert progress["DA8-GQ"]["actual"] == 50.0 and progress["DA8-GQ"]["percent"] is None
    assert progress["DA8-GQ"]["points"] == -30.0 and progress["DA8-TH"]["points"] is None
    assert progress["DA8-TH"]["date_from"] == date(2025, 1, 1)
    cho_don = {u["code"]: u for u in progress["DA8-TH"]["by_unit"]}["02020"]
    assert (cho_don["actual"], cho_don["target"], cho_don["percent"]) == (2, 2, 100.0)


def test_inactive_indicators_are_not_shown(db, units, indicators):
    indicators["NG"].is_active = False
    db.session.commit()
    dashboard = load_dashboard(units["19"], Period.year(2025), TODAY)
    assert [p["code"] for p in dashboard.progress] == ["DA8-TH", "DA8-GQ"]


def test_the_dashboard_shows_progress(client, login_as, db, units, indicators, make_training):
    make_training("02020", date(2025, 2, 1), [(F, "09", 1, 2)])
    services.save_targets(units["19"], 2025, {indicators["TH"].id: 4}, None)
    db.session.commit()
    login_as(Role.province, "19")
    page = client.get("/indicators/?unit=19&period=year&year=2025").get_data(as_text=True)
    assert "DA8-TH · Số lớp tập huấn" in page and "25,0%" in page


def test_knowledge_figures_equal_the_statistics_module_on_the_same_pairs(db, units, make_training):
    """The dashboard sums percentages in SQL; the results screens run surveys.analytics.stats:
    the same pairs must give the same figures."""
    from surveys.analytics import stats

    people = [(F, "09", 1, 3), (F, "02", 2, 4), (F, "01", 3, 4), (F, "08", 0, 2), (F, None, 1, None), (F, "02", None, 3)]
    make_training("02020", date(2025, 3, 10), people)
    make_training("02086", date(2025, 4, 10), [(F, "09", 2, 5), (F, "09", 4, 3)], questions=5)
    dashboard = compute_dashboard(units["19"], Period.year(2025), TODAY)
    pre = {("a", i): 100 * p[2] / 4 for i, p in enumerate(people) if p[2] is not None}
    post = {("a", i): 100 * p[3] / 4 for i, p in enumerate(people) if p[3] is not None}
    pre.update({("b", 0): 40.0, ("b", 1): 80.0})
    post.update({("b", 0): 100.0, ("b", 1): 60.0})
    expected = stats.score_results({str(k): v for k, v in pre.items()}, {str(k): v for k, v in post.items()}, 100.0)
    total = dashboard.total
    assert total["knowledge_pairs"] == expected["n_matched"] == 6
    for key in ("pct_pre", "pct_post", "mean_gain", "hake_g"):
        assert total[key] == pytest.approx(expected["summary"][key], abs=1e-4), key


def test_progress_is_masked_as_the_year_so_far(db, units, commune, indicators, make_training):
    """A quarter's dashboard shows the year so far's progress: its actuals are cells of the year so
    far, masked as that dashboard masks them. Chợ Đồn trained 6 people, 5 of them women, in
    February: the progress of "women trained" hides Chợ Đồn's 5 (it would say one man came) and the
    next smallest commune's women (else 5 = the total minus the others); the others stay."""
    from app.indicators.exports import HIDDEN, published

    women = services.save_indicator(None, code="DA8-NU", name="Phụ nữ được tập huấn", unit_of_measure="lượt người",
                                    figure="training_women", position=4)
    m = Sex.male
    make_training("02020", date(2025, 2, 1), [(F, "01", 1, 2)] * 5 + [(m, "01", 1, 2)])
    make_training("02086", date(2025, 2, 1), [(F, "01", 1, 2)] * 12 + [(m, "01", 1, 2)] * 8)
    make_training(commune("02150", "Xã Thử"), date(2025, 2, 1), [(F, "01", 1, 2)] * 20 + [(m, "01", 1, 2)] * 10)
    make_training("02086", date(2025, 5, 1), [(F, "01", 1, 2)] * 9)
    services.save_targets(units["19"], 2025, {women.id: 100}, None)
    db.session.commit()
    quarter = published(load_dashboard(units["19"], Period.quarter(2025, 2), TODAY))
    progress = {p["code"]: p for p in quarter.progress}["DA8-NU"]
    by_unit = {u["code"]: u for u in progress["by_unit"]}
    assert by_unit["02020"]["actual"] == HIDDEN and by_unit["02020"]["percent"] is None
    assert by_unit["02086"]["actual"] == 21 and by_unit["02150"]["actual"] == HIDDEN
    assert progress["actual"] == 46 and progress["percent"] == 46.0
    year = published(load_dashboard(units["19"], Period("custom", date(2025, 1, 1), TODAY), TODAY))
    assert {r.code: r.figures["training_women"] for r in year.rows if r.code in by_unit} == \
        {code: u["actual"] for code, u in by_unit.items()}
