"""Benchmark: the questions entry screen of a 12-question dialogue (answers on every question,
5 commitments) must weigh at most half of what it weighed before issue #14.

The baseline is the page the same data made with the code of 1 December 2026 (base commit 2984367),
measured with this very module on that code: 142,072 bytes (the issue measured 128 KB with fewer agencies). It is a fixed
figure on purpose: the point is the page a commune officer downloads on a slow line, which does not
depend on the machine. The second row compares the page with the same dialogue's read-only page
(measured in the same run): entry must stay within a small multiple of simply showing the record.

Run alone: ``python -m bench.entry_bench``.
"""
from __future__ import annotations

import tempfile
from datetime import date, time as clock, timedelta
from pathlib import Path

QUESTIONS = 12
COMMITMENTS = 5
BEFORE_BYTES = 142_072  # GET /dialogues/<id>/questions on commit 2984367 (see docstring)
MAX_VS_BEFORE = 0.5
MAX_VS_SHOW = 4.0
PASSWORD = "bench1234"


def build(folder: Path):
    from app import clock as app_clock, create_app, services as core
    from app.extensions import db
    from app.models import Role, Unit, UnitLevel
    from dialogues import services
    from dialogues.models import AnswerOutcome, DialogueLevel

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}", "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False, "INSTANCE_DIR": str(folder), "STORAGE_DIR": str(folder / "s")})
    with app.app_context():
        db.create_all()
        country = Unit(code="VN", name="Việt Nam", level=UnitLevel.country, path="/VN/")
        province = Unit(code="19", name="Thái Nguyên", level=UnitLevel.province, division_type="tỉnh",
                        parent=country, path="/VN/19/")
        commune = Unit(code="02020", name="Xã Chợ Đồn", level=UnitLevel.commune, division_type="xã",
                       parent=province, path="/VN/19/02020/")
        db.session.add_all([country, province, commune])
        db.session.flush()
        village = core.create_unit(commune, "Bản Ca", "bản")
        for i in range(6):
            core.create_unit(commune, f"Bản {i}", "bản")
        agency = core.create_agency("UBND-02020", "Ủy ban nhân dân xã Chợ Đồn", commune)
        for i in range(8):
            core.create_agency(f"SO-{i}", f"Sở số {i} tỉnh Thái Nguyên", province)
        core.create_user("chodon", PASSWORD, Role.commune, commune)
        services.ensure_default_categories()
        held_on = app_clock.today() - timedelta(days=3)
        dialogue = services.create_dialogue(services.DialogueData(
            title="Hội nghị đối thoại với hội viên, phụ nữ", level=DialogueLevel.commune, unit_id=commune.id,
            venue_unit_id=village.id, held_on=held_on, start_time=clock(8), end_time=clock(11, 30),
            venue="Nhà văn hóa bản Ca", chair_name="Hoàng Văn Thắng", chair_position="Chủ tịch UBND xã",
            secretary_name="Triệu Thị Mai", attendance_total=120, attendance_women=101,
            leaders=[services.LeaderData("Hoàng Văn Thắng", "Chủ tịch UBND xã", agency.id)]), None)
        rows = []
        for i in range(1, QUESTIONS + 1):
            promised = i <= COMMITMENTS
            rows.append(services.QuestionRow(
                raiser_name=f"Hội viên số {i}", village_id=village.id, agency_id=agency.id,
                content=f"Ý kiến số {i}: đề nghị xã hỗ trợ chị em về vốn vay, sinh kế và nước sạch.",
                answerer_name="Hoàng Văn Thắng", answerer_title="Chủ tịch UBND xã", answerer_agency_id=agency.id,
                answer="UBND xã tiếp thu, giao cơ quan chuyên môn kiểm tra và trả lời bằng văn bản.",
                outcome=AnswerOutcome.accepted if promised else AnswerOutcome.answered,
                commitments=[services.CommitmentRow(agency_id=agency.id, description=f"Thực hiện kiến nghị số {i}",
                                                    deadline=held_on + timedelta(days=30))] if promised else []))
        services.save_question_rows(dialogue, rows, None)
        db.session.commit()
        return app, dialogue.id


def measure() -> tuple[int, int]:
    with tempfile.TemporaryDirectory() as folder:
        app, dialogue_id = build(Path(folder))
        client = app.test_client()
        assert client.post("/login", data={"username": "chodon", "password": PASSWORD}).status_code == 302
        entry = client.get(f"/dialogues/{dialogue_id}/questions")
        show = client.get(f"/dialogues/{dialogue_id}")
        assert entry.status_code == 200 and show.status_code == 200, (entry.status_code, show.status_code)
        return len(entry.data), len(show.data)


def run() -> list[dict]:
    from bench import row

    entry, show = measure()
    return [
        row(f"entry page, {QUESTIONS} questions, vs the same page before #14 (bytes)", entry, BEFORE_BYTES,
            max_ratio=MAX_VS_BEFORE, unit="B"),
        row(f"entry page vs the dialogue's read-only page, {QUESTIONS} questions (bytes)", entry, show,
            max_ratio=MAX_VS_SHOW, unit="B"),
    ]


if __name__ == "__main__":
    from bench import print_table

    print_table(run())
