"""The training report and the minutes of one union carry the same header (app.official), the
union's own header settings included: one naming rule for every official document."""
import shutil
import subprocess
from datetime import date, time

import pytest

from dialogues import services as dialogue_services
from dialogues.minutes import minutes_context
from dialogues.models import DialogueLevel
from results_datasets import DATASETS
from surveys.analytics import report
from surveys.analytics.results import load_training_results

FRAME = ("parent_body", "issuing_body", "place")


def report_context(training, monkeypatch) -> dict:
    """The context the training report PDF is rendered with."""
    seen = {}
    monkeypatch.setattr(report, "render_pdf", lambda _template, **context: seen.update(context) or b"%PDF")
    report.report_pdf(training, load_training_results(training), today=date(2025, 10, 1))
    return seen


def minutes_of(unit) -> dict:
    dialogue = dialogue_services.create_dialogue(dialogue_services.DialogueData(
        title="Hội nghị đối thoại", level=DialogueLevel.commune, unit_id=unit.id, held_on=date(2025, 9, 28),
        start_time=time(8), end_time=time(10), chair_name="Chủ trì", secretary_name="Thư ký"), None)
    return minutes_context(dialogue)


@pytest.mark.parametrize("custom", [False, True], ids=["default", "union's own header"])
def test_training_report_and_minutes_share_the_header(db, units, fill_training, monkeypatch, custom):
    commune = units["02086"]
    if custom:
        dialogue_services.save_header(commune, parent_body="Hội LHPN tỉnh Thái Nguyên",
                                      issuing_body="Ban Thường vụ Hội LHPN xã Chợ Mới", number_suffix="BB-PNCM",
                                      place_name="Chợ Mới mới")
    training, _persons = fill_training(DATASETS["A"]["people"])  # held in a village of the commune
    minutes, training_report = minutes_of(commune), report_context(training, monkeypatch)
    assert {k: training_report[k] for k in FRAME} == {k: minutes[k] for k in FRAME}
    expected = "BAN THƯỜNG VỤ HỘI LHPN XÃ CHỢ MỚI" if custom else "HỘI LHPN XÃ CHỢ MỚI"
    assert training_report["issuing_body"] == expected
    suffix = "PNCM" if custom else "HLHPN"
    assert minutes["number"].endswith(f"/BB-{suffix}") and training_report["number"].endswith(f"/BC-{suffix}")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_training_report_pdf_prints_the_unions_own_header(db, units, fill_training, tmp_path):
    dialogue_services.save_header(units["02086"], parent_body="Hội LHPN tỉnh Thái Nguyên",
                                  issuing_body="Ban Thường vụ Hội LHPN xã Chợ Mới", number_suffix="BB-PNCM",
                                  place_name="Thị trấn Chợ Mới")
    training, _persons = fill_training(DATASETS["A"]["people"])
    path = tmp_path / "report.pdf"
    path.write_bytes(report.report_pdf(training, load_training_results(training), today=date(2025, 10, 1)))
    text = " ".join(subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    # The issuing body wraps onto two lines in its narrow column.
    for line in ("BAN THƯỜNG VỤ HỘI LHPN XÃ", "CHỢ MỚI", "/BC-PNCM", "Thị trấn Chợ Mới, ngày 01 tháng 10 năm 2025"):
        assert line in text
