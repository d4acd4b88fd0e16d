"""Surveys III (#15): imports know their training, province trainings, voided responses,
re-scoring after an answer-key fix, and the grid that never overwrites silently."""
import io
import re
from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.models import Role
from surveys import services
from surveys.models import Phase, Training
from surveys.services.workbook import WorkbookError
from test_surveys_workbook import counts, sheets, xlsx


@pytest.fixture
def trainer(db, units, create_user, create_topic):
    create_topic("Lừa đảo trực tuyến")
    return create_user(Role.trainer, "02086")


def _identity(data: bytes) -> dict:
    ws = load_workbook(io.BytesIO(data))["training"]
    return {row[0]: row[1] for row in ws.iter_rows(values_only=True)}


# --- imports know where they belong --------------------------------------------------------

def test_an_export_carries_its_training_id_version_and_checksum(db, trainer, units):
    training = services.import_workbook(xlsx(sheets()), user=trainer, unit=units["02086"])
    db.session.commit()
    rows = _identity(services.export_workbook(training, user=trainer))
    assert rows["training_id"] == str(training.id) and rows["test_version"] == str(training.version_id)
    assert re.fullmatch(r"[0-9a-f]{16}", rows["checksum"])
    template = _identity(services.export_workbook(training, with_answers=False, user=trainer))
    assert template["training_id"] == str(training.id)


def test_the_export_of_one_training_is_refused_by_another_with_nothing_stored(db, trainer, units):
    first = services.import_workbook(xlsx(sheets()), user=trainer, unit=units["02086"])
    db.session.commit()
    # the other training uses the very same test: only the identity rows tell them apart
    second = services.save_training(None, title="Lớp khác", topic=first.topic, unit=units["na_nguoc"],
                                    instrument=first.version.instrument, start_date=date(2025, 10, 6), user=trainer)
    db.session.commit()
    exported = services.export_workbook(first, user=trainer)
    before = counts()
    with pytest.raises(services.ForeignWorkbook) as refused:
        services.import_workbook(exported, user=trainer, training=second)
    db.session.rollback()
    assert counts() == before
    assert f"“{first.title}” (số {first.id})" in refused.value.message
    assert "tạo lớp mới từ tệp này" in refused.value.message


def test_a_typed_over_identity_is_refused(db, trainer, units):
    first = services.import_workbook(xlsx(sheets()), user=trainer, unit=units["02086"])
    db.session.commit()
    book = load_workbook(io.BytesIO(services.export_workbook(first, user=trainer)))
    for row in book["training"].iter_rows():
        if row[0].value == "training_id":
            row[1].value = str(first.id + 1)
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(WorkbookError) as refused:
        services.import_workbook(out.getvalue(), user=trainer, training=first)
    assert "mã kiểm tra không khớp" in str(refused.value.problems[0])


def test_web_cross_training_import_offers_a_new_training_from_the_file(db, client, login_as, create_topic, units):
    create_topic("Lừa đảo trực tuyến")
    user = login_as(Role.commune, "02086")
    first = services.import_workbook(xlsx(sheets()), user=user, unit=units["02086"])
    second = services.save_training(None, title="Lớp khác", topic=first.topic, unit=units["02086"],
                                    instrument=first.version.instrument, start_date=date(2025, 10, 6))
    db.session.commit()
    exported = services.export_workbook(first)
    db.session.commit()
    before = counts()
    page = client.post(f"/surveys/trainings/{second.id}/import", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(exported), "lop.xlsx")})
    html = page.get_data(as_text=True)
    assert page.status_code == 409
    assert "Tệp của lớp khác, chưa lưu gì" in html and "Tạo lớp mới từ tệp này" in html
    assert counts() == before
    stash = re.search(r'name="stash" value="([^"]+)"', html).group(1)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    data = {"stash": stash, "unit_id": units["02086"].id}
    if token:
        data["csrf_token"] = token.group(1)
    created = client.post("/surveys/trainings/import", data=data)
    assert created.status_code == 302
    new = db.session.scalar(sa.select(Training).order_by(Training.id.desc()))
    assert new.id not in (first.id, second.id)
    assert counts()["Response"] == before["Response"] + 5
    # the kept file is used once only
    again = client.post("/surveys/trainings/import", data=data)
    assert again.status_code == 200 and "hết hạn giữ tạm" in again.get_data(as_text=True)


# --- province trainings ---------------------------------------------------------------------

def test_a_training_of_trainers_belongs_to_the_province(db, units, create_user, create_instrument, client, login_as):
    instrument = create_instrument()
    training = services.save_training(None, title="Tập huấn cán bộ nguồn", topic=instrument.topic, unit=units["19"],
                                      instrument=instrument, start_date=date(2025, 9, 1))
    db.session.commit()
    assert training.unit.level.value == "province"
    with pytest.raises(services.trainings.ServiceError):
        services.save_training(None, title="Quốc gia", topic=instrument.topic, unit=units["VN"],
                               instrument=instrument, start_date=date(2025, 9, 1))
    login_as(Role.province, "19")
    page = client.get("/surveys/trainings/new").get_data(as_text=True)
    assert f'value="{units["19"].id}"' in page
