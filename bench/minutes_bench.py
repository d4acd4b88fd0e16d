"""Benchmark: minutes of a 40-question dialogue must render in under 2 s, and the app's PDF path
(template, locked-down URL fetcher) must cost at most 1.2x bare WeasyPrint on the same HTML.

``run()`` (for ``python -m bench``) gives both rows; ``main()`` keeps the older standalone report.

Run with ``python -m bench.minutes_bench`` (not part of the pytest run). It builds a throwaway
SQLite database, a dialogue with 40 questions (answers, a commitment on every fourth) and
times ``render_minutes`` against a baseline measured in the same run: a one-paragraph PDF
rendered by the same ``render_pdf`` with the same fonts. The ratio tells how much the minutes
themselves cost, independent of how fast this machine is.
"""
from __future__ import annotations

import gc
import statistics
import sys
import tempfile
import time
from datetime import date, time as clock, timedelta
from pathlib import Path

TARGET_SECONDS = 2.0
QUESTIONS = 40
RUNS = 5

BASELINE = """{% extends "pdf/_official.html" %}
{% block body %}<p>Hội nghị kết thúc hồi 11 giờ 00 phút cùng ngày.</p>{% endblock %}"""


def build(workdir: Path):
    from jinja2 import ChoiceLoader, DictLoader

    from app import clock as app_clock, create_app, services as core
    from app.extensions import db
    from app.models import Unit, UnitLevel
    from dialogues import services
    from dialogues.models import AnswerOutcome, DialogueLevel

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.sqlite3'}",
                      "STORAGE_DIR": str(workdir / "storage"), "INSTANCE_DIR": str(workdir)})
    app.jinja_loader = ChoiceLoader([DictLoader({"bench/baseline.html": BASELINE}), app.jinja_loader])
    app.app_context().push()
    db.create_all()  # the schema itself is not under test here
    country = Unit(code="VN", name="Việt Nam", level=UnitLevel.country, path="/VN/")
    province = Unit(code="19", name="Thái Nguyên", level=UnitLevel.province, division_type="tỉnh", parent=country,
                    path="/VN/19/")
    commune = Unit(code="02020", name="Xã Chợ Đồn", level=UnitLevel.commune, division_type="xã", parent=province,
                   path="/VN/19/02020/")
    db.session.add_all([country, province, commune])
    db.session.flush()
    village = core.create_unit(commune, "Bản Ca", "bản")
    agency = core.create_agency("UBND-02020", "Ủy ban nhân dân xã Chợ Đồn", commune)
    services.ensure_default_categories()
    held_on = app_clock.today() - timedelta(days=3)
    dialogue = services.create_dialogue(services.DialogueData(
        title="Hội nghị đối thoại giữa người đứng đầu cấp ủy, chính quyền xã với hội viên, phụ nữ",
        level=DialogueLevel.commune, unit_id=commune.id, venue_unit_id=village.id, held_on=held_on,
        start_time=clock(8), end_time=clock(11, 30), venue="Nhà văn hóa bản Bản Ca", organiser="Hội LHPN xã Chợ Đồn",
        chair_name="Hoàng Văn Thắng", chair_position="Chủ tịch UBND xã", secretary_name="Triệu Thị Mai",
        attendance_total=120, attendance_women=101, attendance_minority=112,
        conclusions="Giao Hội LHPN xã theo dõi, tổng hợp kết quả thực hiện các cam kết."), None)
    rows = []
    for i in range(1, QUESTIONS + 1):
        promised = i % 4 == 0
        rows.append(services.QuestionRow(
            raiser_name=f"Hội viên số {i}", village_id=village.id, agency_id=agency.id,
            content=f"Ý kiến số {i}: đề nghị xã quan tâm hỗ trợ chị em phụ nữ dân tộc thiểu số trong bản về vốn "
                    f"vay, sinh kế, nước sạch và phòng, chống tảo hôn; nhiều hộ còn khó khăn, đi lại xa.",
            answerer_name="Hoàng Văn Thắng", answerer_title="Chủ tịch UBND xã",
            answer="UBND xã tiếp thu, giao cơ quan chuyên môn kiểm tra, báo cáo và trả lời bằng văn bản; đồng thời "
                   "phối hợp Hội LHPN xã tuyên truyền, hướng dẫn hội viên thực hiện đúng quy định.",
            outcome=AnswerOutcome.accepted if promised else AnswerOutcome.answered,
            commitments=[services.CommitmentRow(agency_id=agency.id, description=f"Thực hiện kiến nghị số {i}",
                                                deadline=held_on + timedelta(days=30))] if promised else []))
    services.save_question_rows(dialogue, rows, None)
    db.session.commit()
    return app, dialogue


def timed(fn, runs: int = RUNS) -> float:
    fn()  # warm-up: fonts, templates
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def page_count(pdf: bytes, workdir: Path) -> str:
    import re
    import subprocess

    path = workdir / "minutes.pdf"
    path.write_bytes(pdf)
    try:
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "?"
    return re.search(r"Pages:\s+(\d+)", info)[1]


def main() -> int:
    from app import clock as app_clock
    from app.pdf import render_pdf
    from dialogues.minutes import render_minutes

    with tempfile.TemporaryDirectory() as tmp:
        _app, dialogue = build(Path(tmp))
        baseline = timed(lambda: render_pdf(
            "bench/baseline.html", parent_body="HỘI LHPN TỈNH THÁI NGUYÊN", issuing_body="HỘI LHPN XÃ CHỢ ĐỒN",
            number="01/BB-HLHPN", place="Chợ Đồn", doc_date=app_clock.today(), doc_type="Biên bản", subject="Thử",
            signers=[("Thư ký", "A"), ("Chủ trì", "B")], recipients=["Lưu: VT"]))
        minutes = timed(lambda: render_minutes(dialogue))
        pages = page_count(render_minutes(dialogue), Path(tmp))
    ratio = minutes / baseline
    verdict = "OK" if minutes < TARGET_SECONDS else "TOO SLOW"
    print(f"minutes of a {QUESTIONS}-question dialogue: {minutes:.3f} s (median of {RUNS}, {pages} pages)")
    print(f"baseline one-paragraph PDF:            {baseline:.3f} s")
    print(f"ratio minutes / baseline:              {ratio:.1f}x")
    print(f"target < {TARGET_SECONDS:.1f} s:                        {verdict}")
    return 0 if minutes < TARGET_SECONDS else 1


MAX_VS_BARE_WEASYPRINT = 1.2


def run() -> list[dict]:
    """The app's minutes PDF against bare WeasyPrint rendering the same HTML with its default fetcher."""
    from flask import current_app, render_template
    from flask_babel import force_locale
    from weasyprint import HTML

    from bench import CPU, paired_median_ms, row
    from dialogues.minutes import minutes_context, render_minutes

    with tempfile.TemporaryDirectory() as tmp:
        app, dialogue = build(Path(tmp))
        try:
            with force_locale("vi"):
                html = render_template("pdf/minutes.html", **minutes_context(dialogue))
            base_url = Path(current_app.static_folder).resolve().as_uri() + "/"
            # A WeasyPrint document leaves much garbage: with the collector on, whichever call runs
            # second in each pair pays ~50% more for the first one's, so both run without it.
            gc.collect()
            gc.disable()
            try:
                app_ms, bare_ms = paired_median_ms(lambda: render_minutes(dialogue),
                                                   lambda: HTML(string=html, base_url=base_url).write_pdf(),
                                                   repeat=9, warmup=2, clock=CPU)
            finally:
                gc.enable()
        finally:
            from app.extensions import db
            db.session.remove()
            db.engine.dispose()
    return [
        row(f"minutes PDF, {QUESTIONS} questions vs bare WeasyPrint, same HTML (CPU time)", app_ms, bare_ms,
            max_ratio=MAX_VS_BARE_WEASYPRINT, unit="ms"),
        row(f"minutes PDF, {QUESTIONS} questions vs the {TARGET_SECONDS:g} s budget", app_ms, TARGET_SECONDS * 1000,
            max_ratio=1, unit="ms"),
    ]


if __name__ == "__main__":
    sys.exit(main())
