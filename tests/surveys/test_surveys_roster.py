"""One roster query (surveys.queries.roster_stmt): an erased person is on no list of the training's
people, while the statistics keep counting her anonymised answers; and a participant code typed
into the roster form is looked up in the user's scope only."""
import io
import re

import pytest
from openpyxl import load_workbook

from app.models import Role
from app.services import erase_person
from surveys.analytics.results import load_training_results
from surveys.models import Phase
from surveys.results import score_table

ANSWERS = {"Q1": "2", "Q2": "2", "Q3": ["1", "2"], "Q4": "2"}


@pytest.fixture
def erased_training(db, create_training, phone, login_as):
    training = create_training(people=3, open_phases=[Phase.pre, Phase.post])
    people = sorted((p.person for p in training.participants), key=lambda p: p.full_name)
    for phase in Phase:
        for person in people:
            assert "Đã ghi nhận" in phone(training, phase).submit(person, ANSWERS).get_data(as_text=True)
    gone = people[0]
    erase_person(gone)
    db.session.commit()
    login_as(Role.trainer, "02086")
    return training, gone, people[1:]


def test_erased_people_are_on_no_roster_list(client, erased_training, phone):
    training, gone, kept = erased_training
    pages = {
        "training page": client.get(f"/surveys/trainings/{training.id}"),
        # everyone answered: the grid opens one person (without one it goes back to the list)
        "grid": client.get(f"/surveys/trainings/{training.id}/pre/grid", query_string={"person": kept[0].id}),
    }
    for name, response in pages.items():
        html = response.get_data(as_text=True)
        assert response.status_code == 200, name
        assert gone.code not in html and "(đã xóa)" not in html, name
        assert all(p.full_name in html for p in kept), name
    assert client.get(f"/surveys/trainings/{training.id}/pre/grid", query_string={"person": gone.id}).status_code == 404
    # The phone form lists nobody; her code and her own link find nobody any more.
    form = phone(training, Phase.post)
    assert client.get(form.url, query_string={"code": gone.code}).status_code == 404
    assert client.get(form.url, query_string={"p": form.key(gone)}).status_code == 404
    assert [row["person"] for row in score_table(training)] == kept

    for template in ("0", "1"):
        book = load_workbook(io.BytesIO(client.get(f"/surveys/trainings/{training.id}/workbook.xlsx",
                                                   query_string={"template": template}).data))
        for sheet in ("Người tham gia", "Trước tập huấn", "Sau tập huấn"):
            codes = [row[0] for row in book[sheet].iter_rows(min_row=2, values_only=True) if row[0]]
            assert gone.code not in codes and set(codes) == {p.code for p in kept}, (template, sheet)


def test_statistics_keep_counting_the_erased_persons_answers(erased_training):
    training, _gone, _kept = erased_training
    results = load_training_results(training)
    assert (results.n_pre, results.n_post, results.n_matched) == (3, 3, 3)


def test_a_code_out_of_scope_reads_as_an_unknown_code(client, login_as, create_training, create_person, db):
    training = create_training(unit="02086", people=1)
    far = create_person("08", code="XA-08")  # another province
    near = create_person("ban_ca", code="CD-09")  # the other commune of the same province
    login_as(Role.trainer, "02086")
    url = f"/surveys/trainings/{training.id}/participants"
    messages = {}
    for code in ("XA-08", "CD-09", "KHONG-CO"):
        response = client.post(url, data={"code": code}, follow_redirects=True)
        # The page's per-render values (the paper job's key, the signed form tokens, which carry
        # the second they were made) say nothing about the code.
        messages[code] = re.sub(r'name="(job_key|csrf_token)" value="[^"]*"', "", response.get_data(as_text=True))
        assert f"Không có người tham gia mã “{code}” trong phạm vi của bạn." in messages[code]
    assert messages["XA-08"].replace("XA-08", "?") == messages["KHONG-CO"].replace("KHONG-CO", "?")
    assert {p.person for p in training.participants}.isdisjoint({far, near})
