"""Namesakes are told apart wherever a person is picked or listed in surveys (#15): the grid's
list and heading, the move-response dialog, the results' participant list and the paper forms
show birth year and village (and code) beside a name borne twice; other names stay plain."""
import re
import shutil

import pytest

from app.extensions import db as _db
from app.models import Role
from surveys import services
from surveys.models import Phase, ResponseSource

TWIN = "Lò Thị Mai"


@pytest.fixture
def twins(db, units, create_training, create_person):
    older = create_person("na_nguoc", full_name=TWIN, birth_year=1975)
    younger = create_person("02086", full_name=TWIN, birth_year=1998)  # registered at commune level
    other = create_person("na_nguoc", full_name="Hà Thị Thảo", birth_year=1990)
    training = create_training(people=[older, younger, other])
    return training, older, younger, other


def _save(training, person, phase, raw):
    answers, errors = services.parse_answers(training.version.items, raw)
    assert not errors
    services.save_response(training, phase, person, answers, source=ResponseSource.grid)


FULL = {"Q1": "2", "Q2": "2", "Q3": "1,2", "Q4": "2", "Q5": "4", "Q6": "Thêm về luật"}


def test_the_grid_list_heading_and_move_dialog_tell_namesakes_apart(db, client, login_as, twins):
    training, older, younger, other = twins
    _save(training, older, Phase.pre, FULL)
    _db.session.commit()
    login_as(Role.trainer, "02086")
    page = client.get(f"/surveys/trainings/{training.id}/pre/grid", query_string={"person": older.id})
    html = page.get_data(as_text=True)
    roster = re.search(r'<nav class="roster".*?</nav>', html, re.S).group(0)
    assert "Lò Thị Mai <small class=\"namesake\">(sinh năm 1975, Nà Nguộc)</small>" in roster
    assert "Lò Thị Mai <small class=\"namesake\">(sinh năm 1998, Xã Chợ Mới)</small>" in roster
    assert "Hà Thị Thảo</a>" in roster  # no hint for a name borne once
    heading = re.search(r"<h2>(.*?)</h2>", html).group(1)
    assert heading == f"Lò Thị Mai <small>{older.code}, sinh năm 1975, Nà Nguộc</small>"
    move = re.search(r'<select id="move-to".*?</select>', html, re.S).group(0)
    assert f">Lò Thị Mai ({younger.code}, sinh năm 1998, Xã Chợ Mới)</option>" in move
    assert f">Hà Thị Thảo ({other.code})</option>" in move


def test_the_results_participant_list_tells_namesakes_apart(db, client, login_as, twins):
    training, older, younger, other = twins
    for person in (older, younger, other):
        _save(training, person, Phase.pre, {"Q1": "1"})
        _save(training, person, Phase.post, FULL)
    _db.session.commit()
    login_as(Role.trainer, "02086")
    html = client.get(f"/surveys/trainings/{training.id}/results").get_data(as_text=True)
    table = html[html.index("Từng người tham gia"):]
    assert "Lò Thị Mai <small class=\"namesake\">(sinh năm 1975, Nà Nguộc)</small>" in table
    assert "Lò Thị Mai <small class=\"namesake\">(sinh năm 1998, Xã Chợ Mới (đăng ký cấp xã))</small>" in table
    assert "<td>Hà Thị Thảo</td>" in table


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize("layout", ["sheets", "answers"])
def test_paper_forms_print_the_hint_of_namesakes(db, client, login_as, twins, tmp_path, layout):
    import subprocess

    training, older, younger, other = twins
    login_as(Role.trainer, "02086")
    response = client.get(f"/surveys/trainings/{training.id}/pre/paper.pdf", query_string={"layout": layout})
    assert response.status_code == 200
    path = tmp_path / "paper.pdf"
    path.write_bytes(response.data)
    text = " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True,
                                   text=True).stdout.split())
    assert f"{older.code} (sinh năm 1975, Nà Nguộc)" in text
    assert f"{younger.code} (sinh năm 1998, Xã Chợ Mới)" in text
    assert f"{other.code} (" not in text
