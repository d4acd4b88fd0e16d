"""The attacker on every output of one training's results: the results page, ``flask surveys
results`` (JSON), ``GET /api/v1/trainings/<id>/results``, the report PDF and the results workbook.
For random classes with small groups (sex, age band, ethnicity, village), the attacker knows every
published figure and the cross-classification of the groups, and solves the published sums for a
masked group (tests/app/test_disclosure.py's ``attack``): nothing is recovered, and every output
masks the same groups, so what holds for the JSON holds for all (SQLite and PostgreSQL)."""
from __future__ import annotations

import io
import json
import random
import re
import subprocess

import pytest
from openpyxl import load_workbook

from app import services as core
from app.api import tokens
from app.models import Role
from surveys.analytics.results import load_training_results
from tests.app.test_disclosure import attack

VILLAGES = ("Nà Nguộc", "Bản Nhùng", "Khuổi Hát")


def random_people(rng: random.Random, n: int) -> list[dict]:
    def answers(p_right):
        return {q: ("2" if rng.random() < p_right else "1") for q in ("Q1", "Q2", "Q4")}

    people = []
    for i in range(n):
        people.append(dict(
            label=f"H{i}", sex=rng.choices(["F", "M", None], [0.85, 0.12, 0.03])[0],
            birth_year=rng.choices([2010, 1998, 1985, 1970, 1958], [0.05, 0.3, 0.4, 0.2, 0.05])[0],
            ethnicity=rng.choices(["01", "02", "09", None], [0.55, 0.3, 0.1, 0.05])[0],
            village=rng.choices(VILLAGES, [0.5, 0.45, 0.05])[0],
            pre=answers(0.45), post=answers(0.75) if rng.random() < 0.92 else None))
    return people


@pytest.mark.parametrize("seed", range(2))
def test_no_masked_group_is_recovered_from_any_results_output(client, db, login_as, runner, fill_training, seed,
                                                              tmp_path):
    rng = random.Random(seed)
    training, persons = fill_training(random_people(rng, rng.randint(14, 40)))
    results = load_training_results(training)

    data = json.loads(runner.invoke(args=["surveys", "results", str(training.id)]).output)
    user = login_as(Role.commune, "02086")
    _token, secret = tokens.create_token(user, "attacker")
    db.session.commit()
    api = client.get(f"/api/v1/trainings/{training.id}/results", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 200 and api.get_json() == data

    # The attack on the figures the JSON publishes, knowing which groups overlap.
    matched = set().union(*(m for groups in results.members.values() for m in groups.values()))
    shown = data["breakdowns"]
    assert attack(shown, results.members, matched, data["summary"]) == []
    hidden = [(dim, label) for dim, groups in shown.items() for label, g in groups.items() if g["masked"] and g["n"]]
    assert hidden, "the draw has no small group"
    # The participant list: no code that names a village beside the scores.
    assert all(core.is_opaque_code(p["code"]) or p["code"].startswith("R-") for p in data["participants"])
    assert not any(p.unit.code in p_json["code"] for p in persons.values() for p_json in data["participants"])

    # The workbook's breakdowns sheet masks the same groups, with the same figures elsewhere.
    book = load_workbook(io.BytesIO(client.get(f"/surveys/trainings/{training.id}/results.xlsx").data))
    rows = list(book["breakdowns"].iter_rows(values_only=True))
    header, sheet = rows[0], {(r[0], r[1]): dict(zip(rows[0], r)) for r in rows[1:]}
    for dim, groups in shown.items():
        for label, g in groups.items():
            row = sheet[(dim, label)]
            assert row["masked"] == ("yes" if g["masked"] else "no") and row["n"] == g["n"], (dim, label)
            for key in header[6:]:
                assert (row[key] is None) == (g[key] is None), (dim, label, key)

    # The page and the PDF: as many masked rows of each kind, and the figures shown only for the others.
    small = sum(1 for dim, label in hidden if shown[dim][label]["n"] < 5)
    derived = len(hidden) - small
    page = client.get(f"/surveys/trainings/{training.id}/results").get_data(as_text=True)
    assert page.count("Ẩn: nhóm dưới 5 người") == small
    assert page.count("Ẩn để không suy ra được nhóm nhỏ") == derived
    masked_rows = re.findall(r'<td class="num">(\d+)</td>\s*<td colspan="4" class="masked">', page)
    assert sorted(map(int, masked_rows)) == sorted(shown[d][lab]["n"] for d, lab in hidden)
    pdf = tmp_path / "results.pdf"
    pdf.write_bytes(client.get(f"/surveys/trainings/{training.id}/results.pdf").data)
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], check=True, capture_output=True).stdout.decode()
    text = " ".join(text.split())
    assert text.count("Ẩn: nhóm dưới 5 người") == small
    assert text.count("Ẩn để không suy ra được nhóm nhỏ") == derived
