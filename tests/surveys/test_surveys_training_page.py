"""Training list and page: counts, scores per participant, phase opening, demo data, query counts."""
import pytest
import sqlalchemy as sa

from app.models import Role
from surveys import services
from surveys.analytics.results import load_training_results
from surveys.models import Phase, PhaseState, ResponseSource, Training


def save(training, person, phase, raw):
    answers, errors = services.parse_answers(training.version.items, raw)
    assert not errors
    services.save_response(training, phase, person, answers, source=ResponseSource.grid)


def test_training_page_shows_pre_post_and_gain(db, client, login_as, create_training):
    training = create_training(people=2)
    a, b = sorted((p.person for p in training.participants), key=lambda p: p.full_name)
    save(training, a, Phase.pre, {"Q1": "1"})
    save(training, a, Phase.post, {"Q1": "2", "Q2": "2", "Q3": "1,2"})
    save(training, b, Phase.pre, {"Q1": "2"})
    db.session.commit()
    login_as(Role.commune, "02086")
    page = client.get(f"/surveys/trainings/{training.id}").get_data(as_text=True)
    assert "0/5" in page and "4/5" in page and "+4" in page and "1/5" in page
    assert "Trung bình (1 người làm cả hai bài)" in page


def test_opening_and_closing_phases(db, client, login_as, create_training):
    training = create_training(people=0)
    login_as(Role.trainer, "02086")
    client.post(f"/surveys/trainings/{training.id}/pre/open")
    assert db.session.get(Training, training.id).phase(Phase.pre).state is PhaseState.open
    client.post(f"/surveys/trainings/{training.id}/pre/close")
    db.session.expire_all()
    phase = db.session.get(Training, training.id).phase(Phase.pre)
    assert phase.state is PhaseState.closed and phase.closed_dt is not None
    assert client.post(f"/surveys/trainings/{training.id}/mid/open").status_code == 404


def test_phase_state_machine_refuses_invalid_transitions(db, create_training):
    phase = create_training(people=0).phase(Phase.post)
    with pytest.raises(ValueError):
        phase.close()
    phase.open()
    with pytest.raises(ValueError):
        phase.open()


def test_index_counts_and_filters(db, client, login_as, create_training, create_topic):
    first = create_training(people=3, title="Lớp bình đẳng giới", open_phases=[Phase.pre])
    create_training(people=1, title="Lớp lừa đảo")
    save(first, first.participants[0].person, Phase.pre, {"Q1": "2"})
    db.session.commit()
    login_as(Role.province, "19")
    page = client.get("/surveys/").get_data(as_text=True)
    assert "Lớp bình đẳng giới" in page and "Lớp lừa đảo" in page and "đang mở: trước" in page
    page = client.get("/surveys/", query_string={"q": "lừa"}).get_data(as_text=True)
    assert "Lớp lừa đảo" in page and "Lớp bình đẳng giới" not in page
    page = client.get("/surveys/", query_string={"status": "open"}).get_data(as_text=True)
    assert "Lớp bình đẳng giới" in page and "Lớp lừa đảo" not in page
    page = client.get("/surveys/", query_string={"status": "upcoming"}).get_data(as_text=True)
    assert "Chưa có lớp tập huấn nào" in page


def test_pages_query_count_does_not_grow_with_rows(db, client, login_as, create_training, statements):
    small = create_training(people=2)
    big = create_training(people=12)
    for training in (small, big):
        for p in training.participants:
            save(training, p.person, Phase.pre, {"Q1": "2"})
    db.session.commit()
    login_as(Role.province, "19")
    for url in ("/surveys/trainings/{id}", "/surveys/trainings/{id}/pre/grid", "/surveys/trainings/{id}/workbook.xlsx"):
        n_small = len(statements(lambda: client.get(url.format(id=small.id))))
        n_big = len(statements(lambda: client.get(url.format(id=big.id))))
        assert n_small == n_big, (url, n_small, n_big)
    create_training(people=1)
    n_before = len(statements(lambda: client.get("/surveys/")))
    for _ in range(3):
        create_training(people=1)
    assert len(statements(lambda: client.get("/surveys/"))) == n_before


def test_demo_load_adds_a_held_training_and_is_idempotent(db, runner):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    trainings = db.session.scalars(sa.select(Training)).all()
    assert len(trainings) == 1
    training = trainings[0]
    assert training.unit.code == "02086" and training.created_by_id is not None
    assert all(p.state is PhaseState.closed for p in training.phases)
    results = load_training_results(training)
    assert results.n_pre == results.n_post == 6
    assert {p["code"] for p in results.participants} == {f"CM-00{i}" for i in range(1, 7)}
    assert sum(p["post"] for p in results.participants) > sum(p["pre"] for p in results.participants)
    assert any(q["dont_know_pre"] for q in results.items)
    assert set(results.breakdowns["village"]) == {"Nà Nguộc"}  # everyone lives in Nà Nguộc


def _paper_forms(page: str) -> list[str]:
    import re

    return re.findall(r'<form [^>]*class="paper-options".*?</form>', page, re.S)


def test_one_paper_form_per_phase_that_works_without_javascript(db, client, login_as, create_training):
    """The page offered the paper options twice per phase (a download form and a background-job form
    with the same choices); one form now, posted as a browser without JavaScript posts it."""
    import re

    from app import jobs

    training = create_training(people=3)
    login_as(Role.trainer, "02086")
    page = client.get(f"/surveys/trainings/{training.id}").get_data(as_text=True)
    forms = _paper_forms(page)
    assert len(forms) == 2  # pre and post, one each
    for form in forms:
        assert form.count('name="layout" value="sheets"') == 1 and form.count('name="todo"') == 1
    pre = forms[0]
    action = re.search(r'action="([^"]+)"', pre).group(1)
    assert 'method="post"' in pre and action == f"/surveys/trainings/{training.id}/pre/paper"
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', pre))
    response = client.post(action, data={**hidden, "layout": "answers", "todo": "1"})
    assert response.status_code == 303 and "/jobs/" in response.headers["Location"]
    job = db.session.scalar(sa.select(jobs.Job))
    assert job.state == "done" and (job.params["layout"], job.params["todo"]) == ("answers", True)
    document = client.get(response.headers["Location"] + "/file")
    assert document.status_code == 200 and document.data.startswith(b"%PDF")


def test_the_paper_form_makes_it_in_the_request_when_documents_are_not_made_in_the_worker(
        db, app, client, login_as, create_training, monkeypatch):
    from app import jobs

    monkeypatch.setitem(app.config, "DOCUMENTS_IN_WORKER", False)
    training = create_training(people=2)
    login_as(Role.trainer, "02086")
    response = client.post(f"/surveys/trainings/{training.id}/post/paper", data={"layout": "answers", "todo": "1"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/surveys/trainings/{training.id}/post/paper.pdf?layout=answers&todo=1"
    assert db.session.scalar(sa.select(sa.func.count(jobs.Job.id))) == 0  # no job queued for nobody to run
    document = client.get(response.headers["Location"])
    assert document.status_code == 200 and document.data.startswith(b"%PDF")
