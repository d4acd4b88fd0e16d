"""A class of 30: a third answers by phone, a third on paper typed into the grid, a third on
paper typed into the workbook; all three land in one consistent table of scores."""
import io

import sqlalchemy as sa
from openpyxl import Workbook

from app.models import Role
from surveys.analytics.results import chance_rate, load_training_results
from surveys.analytics.stats import Item, training_results
from surveys.models import Phase, Response
from surveys.results import score_table
from surveys.services.bank import LIKERT_5

KEY = {"Q1": {2}, "Q2": {2}, "Q3": {1, 2}, "Q4": {2}}
POINTS = {"Q1": 1, "Q2": 1, "Q3": 2, "Q4": 1}
DONT_KNOW = {"Q2": 5}


def answers_of(i: int, phase: Phase) -> dict[str, str]:
    """Person i's answers: varied on purpose (right, wrong, "Không biết", blank, multi sets)."""
    if phase is Phase.pre:
        return {"Q1": "2" if i % 2 else "1", "Q2": ["1", "2", "5"][i % 3], "Q3": ["1", "1,2", "2,1,3"][i % 3],
                "Q4": "" if i % 5 == 0 else "3", "Q5": str(i % 5 + 1), "Q6": ""}
    return {"Q1": "2", "Q2": "2" if i % 4 else "5", "Q3": "1,2" if i % 3 else "1", "Q4": "2",
            "Q5": "5", "Q6": f"Ý kiến {i}"}


def expected(i: int, phase: Phase) -> tuple[int, dict, set]:
    """Total, points per scored item answered, items answered "Không biết" (computed by hand)."""
    points, dont_know = {}, set()
    for key, raw in answers_of(i, phase).items():
        if key not in KEY or not raw:
            continue
        chosen = {int(x) for x in raw.split(",")}
        points[key] = POINTS[key] if chosen == KEY[key] else 0
        if chosen == {DONT_KNOW.get(key)}:
            dont_know.add(key)
    return sum(points.values()), points, dont_know


def workbook_for(training, people) -> bytes:
    """Written by hand with openpyxl (not by our exporter), as another tool would."""
    wb = Workbook()
    ws = wb.active
    ws.title = "training"
    for row in (("title", training.title), ("topic", training.topic.name), ("start_date", "2025-09-20"),
                ("end_date", ""), ("venue", "")):
        ws.append(row)
    ws = wb.create_sheet("questions")
    ws.append(["no", "text", "type", "options", "correct", "points"])
    ws.append([1, "Bạo lực gia đình chỉ là chuyện riêng của mỗi nhà.", "truefalse", "Đúng | Sai", 2, 1])
    ws.append([2, "Tổng đài điện thoại quốc gia bảo vệ trẻ em là số nào?", "single",
               "113 | 111 | 115 | 114 | Không biết", "2", None])
    ws.append([3, "Những dấu hiệu nào cho thấy một tin nhắn có thể là lừa đảo?", "multi",
               "Đòi chuyển tiền gấp | Gửi đường link lạ | Chào hỏi bình thường", "1,2", 2])
    ws.append([4, "Tuổi kết hôn tối thiểu của nữ theo luật là bao nhiêu?", "single", "16 | 18 | 20", 2, 1])
    ws.append([5, "Tôi sẵn sàng báo cho trưởng thôn khi thấy bạo lực gia đình.", "likert", " | ".join(LIKERT_5), "", 1])
    ws.append([6, "Chị muốn tìm hiểu thêm điều gì?", "text", "", "", 1])
    ws = wb.create_sheet("participants")
    ws.append(["code", "full_name", "sex", "birth_year", "ethnicity", "village", "consent"])
    for _i, person in people:
        ws.append([person.code, person.full_name, "F", person.birth_year, "Tày", "Nà Nguộc", "yes"])
    for phase in Phase:
        ws = wb.create_sheet(phase.value)
        ws.append(["code", "Q1", "Q2", "Q3", "Q4", "Q5", "Q6"])
        for i, person in people:
            a = answers_of(i, phase)
            # numbers as numbers, as Excel users type them; blanks as empty cells
            ws.append([person.code] + [int(v) if v.isdigit() else (v or None) for v in a.values()])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_thirty_participants_three_ways_one_consistent_table(db, client, login_as, create_training, phone):
    training = create_training(people=30, open_phases=[Phase.pre, Phase.post])
    people = sorted((p.person for p in training.participants), key=lambda p: p.full_name)
    indexed = list(enumerate(people))
    by_phone, by_grid, by_workbook = indexed[:10], indexed[10:20], indexed[20:]

    for phase in Phase:
        form = phone(training, phase)
        for i, person in by_phone:
            a = answers_of(i, phase)
            posted = {k: (v.split(",") if k == "Q3" else v) for k, v in a.items() if v}
            assert "Đã ghi nhận" in form.submit(person, posted).get_data(as_text=True)

    login_as(Role.trainer, "02086")
    for phase in Phase:
        for i, person in by_grid:
            response = client.post(f"/surveys/trainings/{training.id}/{phase.value}/grid",
                                   data={"person": person.id, "incomplete": "1", **answers_of(i, phase)})
            assert response.status_code == 302, response.get_data(as_text=True)[:500]

    data = workbook_for(training, by_workbook)
    response = client.post(f"/surveys/trainings/{training.id}/import",
                           data={"file": (io.BytesIO(data), "lop.xlsx")}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]

    sources = dict(db.session.execute(sa.select(Response.source, sa.func.count()).group_by(Response.source)).all())
    assert {s.value: n for s, n in sources.items()} == {"phone": 20, "grid": 20, "workbook": 20}

    table = {row["person"].code: row for row in score_table(training)}
    assert len(table) == 30
    for i, person in indexed:
        pre, post = expected(i, Phase.pre)[0], expected(i, Phase.post)[0]
        row = table[person.code]
        assert (row["pre"].score, row["post"].score, row["gain"]) == (pre, post, post - pre), person.code
        assert row["pre"].max_score == row["post"].max_score == 5

    # The loader every screen, export and the CLI use: its figures equal those computed from the
    # points and "Không biết" answers worked out by hand, question by question and person by person.
    results = load_training_results(training)
    assert [(q["key"], q["max_points"]) for q in results.items] == [("Q1", 1), ("Q2", 1), ("Q3", 2), ("Q4", 1)]
    by_hand = {phase: {p.code: expected(i, phase) for i, p in indexed} for phase in Phase}
    # The guessing rate of each question comes from its kind, as the loader reads it.
    chance = {it.key: chance_rate(it) for it in training.version.items}
    figures = training_results([Item(k, float(POINTS[k]), chance[k]) for k in KEY],
                               *({code: e[1] for code, e in by_hand[phase].items()} for phase in Phase),
                               *({code: e[2] for code, e in by_hand[phase].items() if e[2]} for phase in Phase))
    assert [{k: v for k, v in q.items() if k not in ("no", "text")} for q in results.items] == figures["questions"]
    assert results.summary == figures["summary"]
    for row in results.participants:
        assert (row["pre"], row["post"]) == (by_hand[Phase.pre][row["code"]][0], by_hand[Phase.post][row["code"]][0])
    assert {row["code"] for row in results.participants} == {p.code for p in people}
    assert (figures["n_pre"], figures["n_post"], figures["n_matched"]) == (30, 30, 30)
    assert (results.n_pre, results.n_post, results.n_matched) == (30, 30, 30)

    page = client.get(f"/surveys/trainings/{training.id}").get_data(as_text=True)
    i, person = by_workbook[0]
    assert f"{expected(i, Phase.pre)[0]}/5" in page and person.full_name in page
