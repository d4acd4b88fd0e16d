"""The printed questionnaire: one sheet per participant with name, code and a QR to her form,
correct Vietnamese diacritics (checked with pdftotext)."""
import shutil
import subprocess

import pytest

from app.models import Role
from surveys.models import Phase

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "phieu.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout


def test_questionnaire_prints_each_participant_with_diacritics(db, client, login_as, create_training,
                                                               create_person, tmp_path):
    people = [create_person("na_nguoc", full_name=name) for name in ("Đặng Thị Liên", "Nguyễn Thị Bích")]
    training = create_training(people=people, title="Tập huấn phòng chống bạo lực gia đình")
    login_as(Role.trainer, "02086")
    response = client.get(f"/surveys/trainings/{training.id}/pre/paper.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data, tmp_path)
    for expected in ("PHIẾU KHẢO SÁT TRƯỚC TẬP HUẤN", "Tập huấn phòng chống bạo lực gia đình",
                     "Đặng Thị Liên", "Nguyễn Thị Bích", people[0].code, people[1].code,
                     "Tổng đài điện thoại quốc gia bảo vệ trẻ em", "Không biết", "Hoàn toàn không đồng ý",
                     "Quét mã để trả lời trên"):
        assert expected in text, expected
    assert text.count("PHIẾU KHẢO SÁT") == 2


def test_post_questionnaire_for_an_empty_roster_is_one_blank_sheet(db, client, login_as, create_training, tmp_path):
    training = create_training(people=0)
    login_as(Role.trainer, "02086")
    text = pdf_text(client.get(f"/surveys/trainings/{training.id}/post/paper.pdf").data, tmp_path)
    assert text.count("PHIẾU KHẢO SÁT SAU TẬP HUẤN") == 1 and "Họ tên: ……" in text


def test_qr_png_points_to_the_public_link(db, client, login_as, create_training):
    training = create_training(people=0)
    login_as(Role.trainer, "02086")
    response = client.get(f"/surveys/trainings/{training.id}/pre/qr.png")
    assert response.status_code == 200 and response.data[:8] == b"\x89PNG\r\n\x1a\n"
    page = client.get(f"/surveys/trainings/{training.id}").get_data(as_text=True)
    assert f"/t/{training.phase(Phase.pre).public_token}" in page and "<svg" in page
