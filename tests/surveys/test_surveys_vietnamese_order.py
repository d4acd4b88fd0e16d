"""Topics, units and tests in the surveys screens are listed in Vietnamese order (#15): plain SQL
puts "Hoàng" before "Hà" and everything starting with "Đ" last."""
import re

from app import services as core
from app.models import Role

# Vietnamese order; plain (binary) order would give Dân, Em, Hoàng, Hà, Đời.
NAMES = ["Dân số", "Đời sống", "Em bé", "Hà Giang", "Hoàng Su Phì"]


def _positions(page: str, names: list[str]) -> list[int]:
    return [page.index(name) for name in names]


def _in_order(page: str, names: list[str]) -> bool:
    positions = _positions(page, names)
    return positions == sorted(positions)


def _options(page: str, select: str) -> list[str]:
    block = re.search(rf'<select[^>]*name="{select}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return [re.sub(r"^[—\s]+", "", text).strip() for text in re.findall(r"<option[^>]*>([^<]*)</option>", block)]


def test_topics_and_tests_list_and_select_in_vietnamese_order(db, client, login_as, units, create_topic,
                                                              create_instrument):
    for name in reversed(NAMES):
        topic = create_topic(name)
        create_instrument(topic=topic, title=f"Bài {name}")
    login_as(Role.province, "19")
    assert _in_order(client.get("/surveys/topics/").get_data(as_text=True), NAMES)
    assert _in_order(client.get("/surveys/tests/").get_data(as_text=True), [f"Bài {n}" for n in NAMES])
    form = client.get("/surveys/trainings/new").get_data(as_text=True)
    assert [o for o in _options(form, "topic_id") if o in NAMES] == NAMES
    assert [o for o in _options(form, "instrument_id") if o.startswith("Bài ")] == [f"Bài {n}" for n in NAMES]
    new_question = client.get("/surveys/questions/new").get_data(as_text=True)
    assert [o for o in _options(new_question, "topic_id") if o in NAMES] == NAMES
    pooled = client.get("/surveys/results", query_string={"unit": units["19"].id}).get_data(as_text=True)
    assert [o for o in _options(pooled, "topic") if o in NAMES] == NAMES


def test_tests_page_in_vietnamese_order_across_pages(db, client, login_as, app, create_topic, create_instrument,
                                                     monkeypatch):
    topic = create_topic("Chủ đề chung")
    for name in reversed(NAMES):
        create_instrument(topic=topic, title=f"Bài {name}")
    login_as(Role.province, "19")
    monkeypatch.setitem(app.config, "PER_PAGE", 2)  # the app is the session's: put back after
    seen = []
    for page_no in (1, 2, 3):
        page = client.get("/surveys/tests/", query_string={"page": page_no}).get_data(as_text=True)
        seen += sorted((n for n in NAMES if f"Bài {n}" in page), key=lambda n: page.index(f"Bài {n}"))
    assert seen == NAMES


def test_the_units_of_the_training_form_keep_the_tree_with_siblings_in_vietnamese_order(db, client, login_as,
                                                                                        units):
    commune = units["02086"]
    for name in ("Hoàng Trĩ", "Đồng Tâm", "Hà Hiệu"):
        core.create_unit(commune, name, "thôn")
    db.session.commit()
    login_as(Role.province, "19")
    options = _options(client.get("/surveys/trainings/new").get_data(as_text=True), "unit_id")
    assert options == ["Thái Nguyên", "Xã Chợ Đồn", "Bản Ca", "Xã Chợ Mới", "Đồng Tâm", "Hà Hiệu", "Hoàng Trĩ",
                       "Nà Nguộc"]
