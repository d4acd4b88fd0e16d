"""The results screens: what a trainer sees, who may see it, and a query count that does not grow
with the class."""
import random

import pytest

from app.models import Role
from results_datasets import DATASETS
from surveys.models import QuestionKind


def many_questions(n: int) -> list[dict]:
    return [dict(text=f"Câu hỏi kiểm tra số {i + 1}?", kind=QuestionKind.single, options=["A", "B", "C"],
                 correct=[1 + i % 3], has_dont_know=i % 5 == 0) for i in range(n)]


def random_people(n: int, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    answers = lambda: {f"Q{q + 1}": str(rng.randint(1, 3)) for q in range(30) if rng.random() > 0.05}  # noqa: E731
    return [dict(label=f"R{i:03d}", sex=rng.choice("FM"), birth_year=rng.randint(1960, 2005),
                 ethnicity=rng.choice(["01", "02", "09"]), village=rng.choice(["Nà Nguộc", "Khuổi Hát"]),
                 pre=answers(), post=answers() if i % 10 else None) for i in range(n)]


def test_results_page_queries_do_not_grow_with_the_class(db, client, login_as, fill_training, statements):
    small, _ = fill_training(random_people(10, seed=1), questions=many_questions(30))
    large, _ = fill_training(random_people(200, seed=2), questions=many_questions(30))
    login_as(Role.trainer, "02086")
    counts = {}
    for name, training in (("small", small), ("large", large)):
        url = f"/surveys/trainings/{training.id}/results"
        assert client.get(url).status_code == 200  # warm-up: template compilation, first session load
        responses = []
        sent = statements(lambda: responses.append(client.get(url)))
        assert responses[0].status_code == 200
        counts[name] = len(sent)
    assert counts["small"] == counts["large"], counts
    assert counts["large"] <= 10, counts


@pytest.fixture
def training_a(fill_training):
    training, persons = fill_training(DATASETS["A"]["people"])
    return training, persons


def test_results_page_reads_the_numbers_in_plain_vietnamese(client, login_as, training_a):
    training, persons = training_a
    login_as(Role.trainer, "02086")
    html = client.get(f"/surveys/trainings/{training.id}/results").get_data(as_text=True)
    # Data set A: 12/35 -> 22/35 of the maximum, paired t p = 0.02494.
    assert "Điểm trung bình tăng từ 34% lên 63%; mức tăng có ý nghĩa thống kê (p = 0,025)." in html
    assert "vẫn chưa hiểu sau tập huấn" in html and "câu hỏi có vấn đề" in html
    assert "8 người làm bài trước, 7 người làm bài sau; kết quả tính trên 7 người làm cả hai bài." in html
    assert persons["P1"].code in html and "Học viên P1" in html  # the trainer's own page names people


def test_questions_needing_reteaching_come_first(client, login_as, training_a):
    training, _ = training_a
    login_as(Role.trainer, "02086")
    html = client.get(f"/surveys/trainings/{training.id}/results").get_data(as_text=True)
    table = html[html.index('<table class="items'):]
    # % right after: Q3 43%, Q4 57%, Q2 71%, Q1 100%.
    positions = [table.index(f"<b>Câu {n}.</b>") for n in (3, 4, 2, 1)]
    assert positions == sorted(positions)


def test_charts_are_accessible_inline_svg(client, login_as, training_a):
    training, _ = training_a
    login_as(Role.trainer, "02086")
    html = client.get(f"/surveys/trainings/{training.id}/results").get_data(as_text=True)
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 2
    assert html.count('role="img"') >= 2 and 'aria-labelledby="dist-title dist-desc"' in html
    assert "<title id=\"items-title\">Tỷ lệ trả lời đúng từng câu, trước và sau tập huấn</title>" in html
    assert "Câu 3: 29% đúng trước, 43% đúng sau" in html  # the description carries the numbers
    assert "<script" not in html.split("<main>")[1]


def test_training_page_links_to_its_results(client, login_as, training_a):
    training, _ = training_a
    login_as(Role.trainer, "02086")
    html = client.get(f"/surveys/trainings/{training.id}").get_data(as_text=True)
    assert f'href="/surveys/trainings/{training.id}/results"' in html


def test_training_without_answers_has_a_results_page(client, login_as, create_training):
    training = create_training(people=3)
    login_as(Role.trainer, "02086")
    html = client.get(f"/surveys/trainings/{training.id}/results").get_data(as_text=True)
    assert "Chưa có ai làm cả bài trước và bài sau tập huấn nên chưa so sánh được." in html
    assert client.get(f"/surveys/trainings/{training.id}/results.pdf").status_code == 200
    assert client.get(f"/surveys/trainings/{training.id}/results.xlsx").status_code == 200


# ---------------------------------------------------------------- scope
RESULT_ROUTES = ["/surveys/trainings/{id}/results", "/surveys/trainings/{id}/results.pdf",
                 "/surveys/trainings/{id}/results.xlsx"]


@pytest.mark.parametrize("route", RESULT_ROUTES)
@pytest.mark.parametrize("role,unit,status", [
    (Role.trainer, "02086", 200), (Role.commune, "02086", 200), (Role.province, "19", 200),
    (Role.commune, "02020", 404), (Role.trainer, "02020", 404), (Role.province, "08", 404),
    (Role.authority, "02086", 403),
])
def test_results_routes_are_scoped(client, login_as, create_training, route, role, unit, status):
    training = create_training(unit="02086", people=2)
    login_as(role, unit)
    assert client.get(route.format(id=training.id)).status_code == status


@pytest.mark.parametrize("route", RESULT_ROUTES)
def test_unknown_training_is_404(client, login_as, route):
    login_as(Role.province, "19")
    assert client.get(route.format(id=999999)).status_code == 404


@pytest.mark.parametrize("role,unit,status", [
    (Role.commune, "02086", 200), (Role.province, "19", 200), (Role.commune, "02020", 404),
    (Role.province, "08", 404),
])
def test_pooled_results_of_another_unit_are_scoped(client, login_as, units, role, unit, status):
    login_as(role, unit)
    assert client.get(f"/surveys/results?unit={units['02086'].id}").status_code == status


def test_pooled_results_refuse_authority_users(client, login_as):
    login_as(Role.authority, "02086")
    assert client.get("/surveys/results").status_code == 403


def test_attitude_only_test_shows_its_scales_without_a_score(client, login_as, fill_training):
    scale = dict(text="Tôi sẽ nói với chồng về việc chia sẻ việc nhà.", kind=QuestionKind.likert)
    training, _ = fill_training([dict(label="L1", pre={"Q1": "2"}, post={"Q1": "4"}),
                                 dict(label="L2", pre={"Q1": "3"}, post={"Q1": "5"})], questions=[scale])
    login_as(Role.trainer, "02086")
    html = client.get(f"/surveys/trainings/{training.id}/results").get_data(as_text=True)
    assert "Bài kiểm tra không có câu hỏi tính điểm; xem phần câu hỏi thái độ." in html
    assert "Tôi sẽ nói với chồng về việc chia sẻ việc nhà." in html
    assert client.get(f"/surveys/trainings/{training.id}/results.pdf").status_code == 200
