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


# ------------------------------------------------------------------ sub-counts and several tables
# The same attacker on every population of the dashboard at once: the trainings' roster broken
# down by unit, topic and ethnic group, with women and ethnic minority beside each count; the
# dialogues' attendance by unit and by attendance group; the community activities by unit. Beside
# a shown part the complement (total minus part: the men, the Kinh) is a cell too, and one of 1 to
# 4 people must not follow either.
MINORITY_CODES = {"02", "07"}


def solvable(atoms: list, shown: list[set], targets: dict) -> list:
    """The targets (name -> set of atoms) that are signed sums of the shown cells (sets of atoms)."""
    index = {a: j for j, a in enumerate(atoms)}

    def vector(cell):
        v = np.zeros(len(atoms))
        v[[index[a] for a in cell]] = 1.0
        return v
    a = np.array([vector(c) for c in shown if c])
    found = []
    for name, cell in targets.items():
        v = vector(cell)
        w, *_ = np.linalg.lstsq(a.T, v, rcond=None)
        if np.allclose(a.T @ w, v, atol=1e-7):
            found.append(name)
    return found


def attack_population(scopes: dict, figures: list[str], atoms_of, size_of) -> list:
    """``scopes``: name -> (published figures of the cell, predicate on atoms); ``figures``: the
    base figure then its parts (an atom is in a part when ``atoms_of`` says so)."""
    atoms = sorted(atoms_of, key=str)
    base, parts = figures[0], figures[1:]
    shown, targets = [], {}
    for name, (values, inside) in scopes.items():
        for key in figures:
            if key not in values:
                continue
            cell = {a for a in atoms if inside(a) and (key == base or key in atoms_of[a])}
            if is_masked(values[key]):
                if size_of(cell):
                    targets[(name, key)] = cell
            else:
                shown.append(cell)
        for part in parts:
            if part in values:
                rest = {a for a in atoms if inside(a) and part not in atoms_of[a]}
                if 0 < size_of(rest) < 5:
                    targets[(name, "not", part)] = rest
    return solvable(atoms, shown, targets)


@pytest.fixture
def province_of_everything(db, units, commune, make_training, make_dialogue):
    """make(seed) -> what was recorded: trainings (commune, topic) -> people, dialogues and
    activities commune -> their counts, for a province of four communes with small cells."""
    import sqlalchemy as sa

    from community import services as community
    from community.models import ActivityForm, ActivityHost, ActivityTopic

    def make(seed: int) -> dict:
        rng = random.Random(seed)
        communes = [units["02020"], units["02086"], commune(f"021{seed:02d}", f"Xã Thử {seed}"),
                    commune(f"022{seed:02d}", f"Xã Mẫu {seed}")]
        community.seed_topics()
        topic_id = db.session.scalar(sa.select(ActivityTopic.id).limit(1))
        held = {"trainings": {}, "dialogues": {}, "activities": {}}
        for c in communes:
            for topic in TOPICS:
                if rng.random() < 0.45:
                    continue
                women = rng.choice([0.7, 0.9, 1.0])
                people = [(Sex.female if rng.random() < women else Sex.male, rng.choice(["01", "01", "02", "07"]),
                           rng.randint(0, 4), rng.randint(0, 4)) for _ in range(rng.choice([2, 5, 6, 9, 14]))]
                make_training(c, date(2025, rng.randint(1, 5), 10), people, topic=topic)
                held["trainings"][(c.code, topic)] = people
            if rng.random() < 0.8:
                total = rng.choice([6, 9, 14, 30])
                women, minority = total - rng.choice([0, 1, 2, 6]), rng.choice([0, 3, total - 1, total])
                groups = [("Hội viên phụ nữ", total - 3), ("Người có uy tín", 3)] if rng.random() < 0.6 else \
                    [("Hội viên phụ nữ", total)]
                make_dialogue(c, date(2025, 3, rng.randint(1, 28)), attendance=(total, max(women, 0), minority),
                              groups=groups)
                held["dialogues"][c.code] = (total, max(women, 0), minority, groups)
            if rng.random() < 0.8:
                total = rng.choice([7, 12, 40])
                counts = (total, total - rng.choice([1, 2, total // 2]), rng.choice([0, 2, total]),
                          rng.choice([0, 1, 6]))
                community.save_activity(None, community.ActivityData(
                    held_on=date(2025, 4, 2), topic_id=topic_id, form=ActivityForm.meeting,
                    participants_total=counts[0],
                    participants_women=counts[1], participants_minority=counts[2], participants_children=counts[3],
                    host=ActivityHost.union, unit=c))
                held["activities"][c.code] = counts
        db.session.commit()
        return held
    return make


def attack_everything(body: dict, held: dict) -> list:
    rows = {r["code"]: r for r in body["by_unit"]}
    topics = {t["name"]: t for t in body["by_topic"]}
    ethnic = {g["code"]: g for g in body["by_ethnic_group"]}
    found = []

    # Trainings: an atom is (commune, topic, ethnic group, woman); its people are the attacker's unknowns.
    count: dict = {}
    for (code, topic), people in held["trainings"].items():
        for sex, eth, _pre, _post in people:
            atom = (code, topic, eth, sex == Sex.female)
            count[atom] = count.get(atom, 0) + 1
    parts = {a: {k for k, yes in (("training_women", a[3]), ("training_minority", a[2] in MINORITY_CODES)) if yes}
             for a in count}
    scopes = {"total": (body["total"], lambda a: True)}
    scopes.update({("row", c): (r, lambda a, c=c: a[0] == c) for c, r in rows.items()})
    scopes.update({("topic", t): (v, lambda a, t=t: a[1] == t) for t, v in topics.items()})
    scopes.update({("ethnic", e): ({"training_participants": g["participants"], "training_women": g["women"]},
                                   lambda a, e=e: a[2] == e) for e, g in ethnic.items()})
    found += attack_population(scopes, ["training_participants", "training_women", "training_minority"], parts,
                               lambda cell: sum(count[a] for a in cell))

    # Dialogues: who of a dialogue is a woman, of a minority, in which group is not written down:
    # every combination is possible (an atom per commune x group x woman x minority).
    atoms, truth = {}, {}
    for code, (total, women, minority, groups) in held["dialogues"].items():
        for label, _n in groups:
            for woman in [w for w, ok in ((True, women > 0), (False, women < total)) if ok]:
                for minor in [m for m, ok in ((True, minority > 0), (False, minority < total)) if ok]:
                    atoms[(code, label, woman, minor)] = {k for k, yes in (("dialogue_women", woman),
                                                                           ("dialogue_minority", minor)) if yes}
        truth[code] = (total, women, minority, groups)

    def dialogue_size(cell):  # the smallest number of people the cell can hold is what matters
        return dialogue_exact(cell, truth)
    groups_shown = {g["label"]: g for g in body["attendance_by_group"]}
    scopes = {"total": (body["total"], lambda a: True)}
    scopes.update({("row", c): (r, lambda a, c=c: a[0] == c) for c, r in rows.items()})
    scopes.update({("group", lab): ({"dialogue_participants": g["count"]}, lambda a, lab=lab: a[1] == lab)
                   for lab, g in groups_shown.items()})
    found += attack_population(scopes, ["dialogue_participants", "dialogue_women", "dialogue_minority"], atoms,
                               dialogue_size)

    # Activities: per commune, every combination of woman, minority and child the counts allow.
    atoms, truth = {}, held["activities"]
    names = ("activity_women", "activity_minority", "activity_children")
    for code, (total, *subs) in truth.items():
        combos = [frozenset()]
        for name, n in zip(names, subs):
            combos = [c | {name} for c in combos if n > 0] + [c for c in combos if n < total]
        atoms.update({(code, combo): set(combo) for combo in combos})
    scopes = {"total": (body["total"], lambda a: True)}
    scopes.update({("row", c): (r, lambda a, c=c: a[0] == c) for c, r in rows.items()})
    found += attack_population(scopes, ["activity_participants", *names], atoms,
                               lambda cell: activity_exact(cell, truth))
    return found


def dialogue_exact(cell, truth) -> int:
    """People in a cell of dialogue atoms when the cell is a whole row, group or sex/minority
    split of rows (the cells the dashboard shows, and their complements)."""
    total = 0
    for code, (people, women, minority, groups) in truth.items():
        mine = {a for a in cell if a[0] == code}
        if not mine:
            continue
        labels = {a[1] for a in mine}
        sexes, minors = {a[2] for a in mine}, {a[3] for a in mine}
        n = sum(c for lab, c in groups if lab in labels) if len(labels) < len(groups) else people
        if sexes == {True}:
            n = min(n, women)
        elif sexes == {False}:
            n = min(n, people - women)
        if minors == {True}:
            n = min(n, minority)
        elif minors == {False}:
            n = min(n, people - minority)
        total += n
    return total


def activity_exact(cell, truth) -> int:
    total = 0
    names = ("activity_women", "activity_minority", "activity_children")
    for code, (people, *subs) in truth.items():
        mine = [a for a in cell if a[0] == code]
        if not mine:
            continue
        n = people
        for name, k in zip(names, subs):
            if all(name in a[1] for a in mine):
                n = min(n, k)
            elif all(name not in a[1] for a in mine):
                n = min(n, people - k)
        total += n
    return total


@pytest.mark.parametrize("seed", range(4))
def test_no_masked_cell_nor_complement_is_recovered_across_the_tables_of_the_dashboard(
        app, client, db, units, login_as, runner, province_of_everything, seed):
    held = province_of_everything(seed)
    user = login_as(Role.province, "19")
    _token, secret = tokens.create_token(user, "attacker")
    db.session.commit()
    body = client.get(f"/api/v1/indicators?unit={user.unit_id}&from=2025-01-01&to=2025-12-31",
                      headers={"Authorization": f"Bearer {secret}"}).get_json()
    cli = runner.invoke(args=["indicators", "--unit", "19", "--from", "2025-01-01", "--to", "2025-12-31"])
    assert json.loads(cli.output) == body
    assert attack_everything(body, held) == []

    # Not everything is hidden: the headline counts are shown, and most large cells.
    people = [k for k, f in FIGURES.items() if f.is_people_count]
    assert all(not is_masked(body["total"][k]) for k in ("training_participants", "dialogue_participants",
                                                         "activity_participants"))
    cells = [r[k] for r in body["by_unit"] for k in people] + [g["participants"] for g in body["by_ethnic_group"]]
    large = [c for c in cells if not isinstance(c, str) and c >= 10]
    assert large, "the draw has no large cell shown"
    masked = [c for c in cells if isinstance(c, str)]
    assert masked, "the draw has no masked cell"

    # The workbook shows exactly the same cells (its unit, ethnic-group and attendance sheets).
    book = load_workbook(io.BytesIO(client.get("/indicators/export.xlsx?unit=19&" + YEAR).data))
    sheet = {r[0]: r for r in book["Theo đơn vị"].iter_rows(min_row=2, values_only=True)}
    for row in body["by_unit"]:
        for key in people:  # columns: code, name, then every figure in order (labels repeat: "trong đó nữ")
            assert sheet[row["code"]][2 + list(FIGURES).index(key)] == row[key], (row["code"], key)
    sheet = [r[4:6] for r in book["Theo dân tộc"].iter_rows(min_row=2, values_only=True)]
    assert sheet == [(g["participants"], g["women"]) for g in body["by_ethnic_group"]]
    sheet = [r[1:3] for r in book["Thành phần dự đối thoại"].iter_rows(min_row=2, values_only=True)]
    assert sheet == [(g["label"], g["count"]) for g in body["attendance_by_group"]]

    # The community period report (Báo cáo kết quả thực hiện Dự án 8) shows the same cells.
    from app.indicators.periods import Period
    from community import indicators as community, report
    from indicators_reference import TODAY

    with app.test_request_context():
        built = report.build(units["19"], Period("custom", date(2025, 1, 1), date(2025, 12, 31)), TODAY)
    rows = {r["code"]: r for r in body["by_unit"]}
    for row in built.by_unit:
        assert {k: row[k] for k in community.KEYS} == {k: rows[row["code"]][k] for k in community.KEYS}
    assert {k: built.total[k] for k in community.KEYS} == {k: body["total"][k] for k in community.KEYS}


def test_the_attacker_wins_across_tables_when_each_table_is_masked_alone(db, units, province_of_everything):
    """The attack is real: with each table and each column masked on its own (the old rule), the
    men beside the women or a masked ethnic group come out."""
    from app.indicators.dashboard import compute_dashboard
    from app.indicators.exports import masked_rows
    from app.indicators.periods import Period
    from indicators_reference import TODAY
    from app import disclosure

    held = province_of_everything(1)
    if True:
        dashboard = compute_dashboard(units["19"], Period("custom", date(2025, 1, 1), date(2025, 12, 31)), TODAY)
        rows = masked_rows([r.figures for r in dashboard.rows])

        def within(groups, keys):
            out = [dict(g) for g in groups]
            for key in keys:
                small = disclosure.masked_share({i: g[key] or 0 for i, g in enumerate(groups)})
                for i in small:
                    out[i][key] = "x"
            return out
        body = {"total": dashboard.total, "by_unit": [{"code": r.code, **m} for r, m in zip(dashboard.rows, rows)],
                "by_topic": masked_rows(dashboard.topics),
                "by_ethnic_group": within(dashboard.ethnic_groups, ("participants", "women")),
                "attendance_by_group": within(dashboard.attendance_groups, ("count",))}
        assert attack_everything(body, held)
