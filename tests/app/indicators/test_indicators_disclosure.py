"""The attacker on every output of the dashboard (the screen, its XLSX and PDF, ``GET
/api/v1/indicators`` and ``flask indicators``): for random provinces whose communes hold small
trainings, the attacker reads every published figure, knows which commune held which topic (the
trainings list says so) and solves the published sums for a masked cell. None is ever recovered:
not the people counts, not the sums of scores before and after; and every output masks the same
cells the same way (app.indicators.exports.published; on SQLite and PostgreSQL)."""
from __future__ import annotations

import html
import io
import json
import random
import re
import subprocess
from datetime import date

import numpy as np
import pytest
from openpyxl import load_workbook

from app.api import tokens
from app.indicators.figures import FIGURES, format_value, full_label
from app.models import Role, Sex

YEAR = "period=year&year=2025"
TOPICS = ("Bình đẳng giới", "Phòng chống bạo lực gia đình", "Sinh kế")
KEYS = ["training_participants", "training_women", "knowledge_pairs", "pct_pre", "pct_post", "mean_gain", "hake_g"]
SCORE_KEYS = ("pct_pre", "pct_post")


@pytest.fixture
def province(db, units, commune, make_training):
    """make(seed) -> {(commune code, topic): people} for a random province of four communes."""
    def make(seed: int) -> dict:
        rng = random.Random(seed)
        communes = [units["02020"], units["02086"], commune(f"021{seed:02d}", f"Xã Thử {seed}"),
                    commune(f"022{seed:02d}", f"Xã Mẫu {seed}")]
        held = {}
        for c in communes:
            for topic in TOPICS:
                if rng.random() < 0.55:
                    continue
                n = rng.choice([1, 2, 3, 4, 6, 9])
                people = [(Sex.female if rng.random() < 0.8 else Sex.male, rng.choice(["01", "02", "07"]),
                           rng.randint(0, 4), rng.randint(0, 4) if rng.random() < 0.9 else None) for _ in range(n)]
                make_training(c, date(2025, rng.randint(1, 5), 10), people, topic=topic)
                held[(c.code, topic)] = people
        return held
    return make


def is_masked(value) -> bool:
    return isinstance(value, str)


def attack(body: dict, held: dict) -> list:
    """Every masked (row or topic, figure) whose value the attacker solves for from the published
    rows, topics and total: counts of people for the people figures, sums of percentages for the
    scores (pairs x mean)."""
    atoms = sorted(held)
    rows = {r["code"]: r for r in body["by_unit"]}
    topics = {t["name"]: t for t in body["by_topic"]}

    def vector(kind, label):
        return np.array([float((code if kind == "row" else topic) == label) for code, topic in atoms])

    found = []
    for key in ("training_participants", "training_women", "knowledge_pairs", *SCORE_KEYS):
        published, hidden = [np.ones(len(atoms))], []
        total = body["total"][key]
        if is_masked(total):
            continue  # nothing to subtract from
        for kind, cells in (("row", rows), ("topic", topics)):
            for label, cell in cells.items():
                v = vector(kind, label)
                if not v.any():
                    continue
                # A score's sum is pairs x mean: hidden when either is.
                if is_masked(cell[key]) or (key in SCORE_KEYS and is_masked(cell["knowledge_pairs"])):
                    hidden.append((kind, label, v))
                else:
                    published.append(v)
        a = np.array(published)
        for kind, label, v in hidden:
            w, *_ = np.linalg.lstsq(a.T, v, rcond=None)
            if np.allclose(a.T @ w, v, atol=1e-7) and not np.allclose(v, 1):
                found.append((key, kind, label))
    return found


def screen_cells(page: str) -> dict[str, list[str]]:
    """The trainings section's unit table on the screen: unit code -> cell texts."""
    section = page.split('aria-labelledby="trainings-h"', 1)[1].split("</section>", 1)[0]
    out = {}
    for row in re.findall(r"<tr>(.*?)</tr>", section, re.S):
        code = re.search(r"<td>([0-9]+)</td>", row)
        if code:
            cells = re.findall(r'<td class="num">(.*?)</td>', row, re.S)
            out[code.group(1)] = [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells]
    return out


SCREEN_KEYS = ["trainings_held", "training_participants", "training_women", "training_minority", "knowledge_pairs",
               "pct_pre", "pct_post", "mean_gain", "hake_g"]
PDF_KEYS = ["trainings_held", "training_participants", "training_women", "training_minority", "mean_gain", "hake_g"]


@pytest.mark.parametrize("seed", range(3))
def test_no_masked_cell_of_the_dashboard_is_recovered_from_any_output(app, client, db, login_as, runner, province,
                                                                       seed):
    held = province(seed)
    user = login_as(Role.province, "19")
    _token, secret = tokens.create_token(user, "attacker")
    db.session.commit()
    api = client.get(f"/api/v1/indicators?unit={user.unit_id}&from=2025-01-01&to=2025-12-31",
                     headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 200
    body = api.get_json()
    cli = runner.invoke(args=["indicators", "--unit", "19", "--from", "2025-01-01", "--to", "2025-12-31"])
    assert json.loads(cli.output) == body

    # The attack, on the figures every output publishes.
    assert attack(body, held) == []
    rows = {r["code"]: r for r in body["by_unit"]}
    for cell in [*rows.values(), *body["by_topic"]]:
        small = cell["training_participants"]
        assert small == "<5" or is_masked(small) or not 0 < small < 5
        if is_masked(cell["knowledge_pairs"]) and cell["knowledge_pairs"] != 0:
            assert all(is_masked(cell[k]) for k in SCORE_KEYS) or cell["knowledge_pairs"] == 0
    assert any(is_masked(r["training_participants"]) for r in rows.values()), "the draw has no small group"

    # The screen shows the same cells.
    page = client.get("/indicators/?unit=19&all=1&" + YEAR).get_data(as_text=True)
    shown = screen_cells(page)
    with app.test_request_context():
        for code, row in rows.items():
            assert shown[code] == [format_value(k, row[k]) for k in SCREEN_KEYS], code

    # The workbook: the same cells in "Theo đơn vị" and "Theo chủ đề".
    book = load_workbook(io.BytesIO(client.get("/indicators/export.xlsx?unit=19&" + YEAR).data))
    header = [c.value for c in book["Theo đơn vị"][1]]
    sheet = {r[0]: r for r in book["Theo đơn vị"].iter_rows(min_row=2, values_only=True)}
    for code, row in rows.items():
        for key in KEYS:
            assert sheet[code][header.index(str(full_label(key)))] == row[key], (code, key)
    header = [c.value for c in book["Theo chủ đề"][1]]
    sheet = {r[1]: r for r in book["Theo chủ đề"].iter_rows(min_row=2, values_only=True)}
    for topic in body["by_topic"]:
        for key in KEYS:
            assert sheet[topic["name"]][header.index(str(full_label(key)))] == topic[key], (topic["name"], key)

    # The PDF report: each unit's line reads the same cells.
    pdf = client.get("/indicators/report.pdf?unit=19&" + YEAR).data
    text = subprocess.run(["pdftotext", "-raw", "-", "-"], input=pdf, check=True, capture_output=True).stdout.decode()
    with app.test_request_context():
        for code, row in rows.items():
            if row["trainings_held"]:
                expected = " ".join(format_value(k, row[k]) for k in PDF_KEYS)
                assert any(line.startswith(code) and line.endswith(expected) for line in text.splitlines()), \
                    (code, expected)


def test_the_attacker_wins_on_the_raw_figures(db, units, province):
    """The attack is real: on the unmasked figures (``compute_dashboard``) with the small cells alone
    blanked, it recovers masked cells."""
    from app.indicators.dashboard import compute_dashboard
    from app.indicators.periods import Period
    from indicators_reference import TODAY

    held = province(0)
    dashboard = compute_dashboard(units["19"], Period("custom", date(2025, 1, 1), date(2025, 12, 31)), TODAY)

    def primary(figures):
        return {k: ("<5" if k in FIGURES and FIGURES[k].is_people_count and 0 < v < 5 else v)
                for k, v in figures.items()}
    body = {"total": dashboard.total, "by_unit": [{"code": r.code, **primary(r.figures)} for r in dashboard.rows],
            "by_topic": [primary(t) for t in dashboard.topics]}
    assert len(attack(body, held)) >= 3


def body_of(dashboard) -> dict:
    return {"total": dashboard.total, "by_unit": [{"code": r.code, **r.figures} for r in dashboard.rows],
            "by_topic": dashboard.topics}


def test_the_dashboard_masks_a_commune_that_a_topic_gives_away(app, db, units, commune, make_training):
    """Chợ Mới's 3 people and Xã Thử's 8 are the only ones trained on violence. Within the communes,
    masking Chợ Mới and the next smallest (Xã Mẫu, 6) is enough; but then Chợ Mới = violence - Xã Thử.
    The audit across communes and topics masks further cells, and nothing follows any more."""
    from app.indicators.dashboard import compute_dashboard
    from app.indicators.exports import masked_rows, published
    from app.indicators.periods import Period
    from indicators_reference import TODAY

    f, violence = Sex.female, "Phòng chống bạo lực gia đình"
    test, sample = commune("02150", "Xã Thử"), commune("02151", "Xã Mẫu")
    held = {("02020", "Bình đẳng giới"): [(f, "01", 1, 3)] * 20, ("02086", violence): [(f, "01", 2, 4)] * 3,
            ("02150", violence): [(f, "01", 0, 2)] * 8, ("02151", "Bình đẳng giới"): [(f, "01", 3, 3)] * 6}
    for (code, topic), people in held.items():
        make_training({"02020": units["02020"], "02086": units["02086"], "02150": test, "02151": sample}[code],
                      date(2025, 3, 1), people, topic=topic)
    raw = compute_dashboard(units["19"], Period("custom", date(2025, 1, 1), date(2025, 12, 31)), TODAY)
    # Within each breakdown only (the old rule): Chợ Mới follows from the violence topic.
    within = body_of(raw)
    within["by_unit"] = [{"code": r.code, **m} for r, m in zip(raw.rows, masked_rows([r.figures for r in raw.rows]))]
    within["by_topic"] = masked_rows(raw.topics)
    assert ("knowledge_pairs", "row", "02086") in attack(within, held)

    dashboard = published(raw)
    rows = {r.code: r.figures for r in dashboard.rows}
    assert rows["02086"]["knowledge_pairs"] == "<5" and rows["02086"]["pct_pre"] == "n<5"
    assert rows["02151"]["knowledge_pairs"] == "x" and rows["02151"]["pct_pre"] == "x"
    hidden = sum(is_masked(c["knowledge_pairs"]) for c in [*rows.values(), *dashboard.topics])
    assert hidden > 2
    assert attack(body_of(dashboard), held) == []
    assert isinstance(dashboard.total["pct_pre"], float)
