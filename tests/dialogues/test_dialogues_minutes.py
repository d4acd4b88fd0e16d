"""The official minutes PDF: the seed's dialogue (Bản Ca, Xã Chợ Đồn) with 12 questions and 5
commitments, its layout (Decree 30/2020), numbering, addenda and verification of issued copies."""
import re
import subprocess
from datetime import date, time, timedelta
from app import clock

import pytest
import sqlalchemy as sa

from app import official
from app.models import Role, Sex
from dialogues import services
from dialogues.minutes import render_minutes
from dialogues.models import AnswerOutcome, DialogueLevel, MinutesIssue, QuestionOrigin, RaiserKind
from dialogues.services import CommitmentRow, QuestionRow

PT_PER_MM = 72 / 25.4
HELD_ON = date(2025, 9, 28)

# (raiser, category, question, answerer, answer, outcome, commitments [(agency, description, days)])
SEED_QUESTIONS = [
    ("Triệu Thị Lan", "credit", "Đề nghị hỗ trợ vốn vay ưu đãi để chị em người Dao chăn nuôi lợn đen.",
     "Hoàng Văn Thắng", "Giao Hội LHPN xã phối hợp Ngân hàng Chính sách xã hội lập danh sách hộ có nhu cầu vay.",
     AnswerOutcome.accepted, [("UBND-02020", "Lập danh sách hộ phụ nữ dân tộc Dao cần vay vốn chăn nuôi", 30)]),
    ("Hoàng Thị Nga", "infrastructure", "Đường vào khu sản xuất của bản bị sạt lở sau mưa lũ, đề nghị khắc phục.",
     "Hoàng Văn Thắng", "Xã bố trí kinh phí khắc phục tạm thời trước mùa mưa năm sau.", AnswerOutcome.accepted,
     [("UBND-02020", "Khắc phục tạm thời đoạn đường sạt lở vào khu sản xuất", 20),
      ("UBND-02020", "Lập hồ sơ đề nghị tỉnh hỗ trợ kè chống sạt lở", 45)]),
    ("Chi hội phụ nữ bản Bản Ca", "child_marriage", "Một số gia đình vẫn cho con cưới khi chưa đủ tuổi.",
     "Bế Văn Sơn", "Truyền thông bằng tiếng Dao, tiếng Tày tại các bản có nguy cơ cao.", AnswerOutcome.accepted,
     [("VHXH-02020", "Truyền thông phòng, chống tảo hôn bằng tiếng dân tộc tại bốn bản", 60)]),
    (None, "domestic_violence", "Chị em bị bạo lực không biết báo tin cho ai.",
     "Ma Thị Hạnh", "Báo chi hội trưởng, trưởng bản hoặc Công an xã; thông tin được giữ bí mật.",
     AnswerOutcome.answered, []),
    ("Lục Thị Hoa", "health", "Đề nghị khám thai lưu động định kỳ tại bản.",
     "Hoàng Văn Thắng", "Vượt thẩm quyền xã; UBND xã có văn bản đề nghị Sở Y tế.", AnswerOutcome.forwarded, []),
    ("Nông Văn Phúc", "education", "Đề nghị hỗ trợ tiền ăn bán trú cho học sinh bản xa.",
     "Hoàng Văn Thắng", "Học sinh bản xa được xét hỗ trợ theo quy định; nộp hồ sơ tại trường.",
     AnswerOutcome.answered, []),
    ("Giàng Thị Mỷ", "livelihood", "Đề nghị tập huấn kỹ thuật trồng quế cho chị em.",
     "Hoàng Văn Thắng", "Xã phối hợp Hội LHPN mở lớp tập huấn trong quý tới.", AnswerOutcome.accepted,
     [("UBND-02020", "Mở lớp tập huấn kỹ thuật trồng, chăm sóc quế", 75)]),
    ("Bàn Thị Sinh", "security", "Nhiều chị em bị lừa qua mạng xã hội.",
     "Lý Văn Quảng", "Không cung cấp mã OTP, không chuyển tiền cho người lạ; báo ngay Công an xã.",
     AnswerOutcome.answered, []),
    ("Tổ truyền thông cộng đồng", "social_policy", "Đề nghị hỗ trợ kinh phí hoạt động cho tổ truyền thông.",
     "Bế Văn Sơn", "Ghi nhận, xem xét khi lập dự toán năm sau.", AnswerOutcome.noted, []),
    ("Hà Thị Thảo", "land", "Đề nghị ghi tên cả vợ và chồng trên giấy chứng nhận quyền sử dụng đất.",
     "Hoàng Văn Thắng", "Hộ gia đình đăng ký biến động tại bộ phận một cửa, xã hướng dẫn miễn phí.",
     AnswerOutcome.answered, []),
    ("Lý Thị Dung", "infrastructure", "Bể nước sinh hoạt tập trung của bản bị hỏng.",
     "Hoàng Văn Thắng", "Công chức địa chính kiểm tra, báo cáo trong tháng.", AnswerOutcome.answered, []),
    ("Sùng Thị Pà", "other", "Đề nghị mở lớp xóa mù chữ cho phụ nữ lớn tuổi.",
     "Ma Thị Hạnh", "Hội phối hợp trường tiểu học mở lớp buổi tối từ tháng sau.", AnswerOutcome.answered, []),
]


@pytest.fixture
def seed_dialogue(db, units, agencies, categories, create_dialogue):
    """The seed's kind of dialogue: held in bản Bản Ca, Xã Chợ Đồn; 12 questions, 5 commitments."""
    def build(status: str = "approved"):
        rows = []
        for raiser, category, content, answerer, answer, outcome, promised in SEED_QUESTIONS:
            rows.append(QuestionRow(
                origin=QuestionOrigin.on_day, raiser_kind=RaiserKind.person if raiser else RaiserKind.anonymous,
                raiser_name=raiser or "", raiser_sex=Sex.female, village_id=units["ban_ca"].id,
                category_id=categories[category], agency_id=agencies["UBND-02020"].id, content=content,
                answerer_name=answerer, answer=answer, outcome=outcome,
                forwarded_agency_id=agencies["SYT-19"].id if outcome is AnswerOutcome.forwarded else None,
                commitments=[CommitmentRow(agency_id=agencies[code].id, description=text,
                                           deadline=HELD_ON + timedelta(days=days)) for code, text, days in promised]))
        return create_dialogue(
            "02020", status=status, rows=rows,
            title="Hội nghị đối thoại giữa người đứng đầu cấp ủy, chính quyền xã với hội viên, phụ nữ cụm bản Bản Ca",
            level=DialogueLevel.village_cluster, venue_unit_id=units["ban_ca"].id,
            held_on=HELD_ON, start_time=time(8, 0), end_time=time(11, 30), venue="Nhà văn hóa bản Bản Ca",
            organiser="Hội LHPN xã Chợ Đồn", co_organisers="Ủy ban nhân dân xã Chợ Đồn",
            chair_name="Hoàng Văn Thắng", chair_position="Chủ tịch UBND xã",
            secretary_name="Triệu Thị Mai", secretary_position="Phó Chủ tịch Hội LHPN xã",
            leaders=[services.LeaderData("Hoàng Văn Thắng", "Chủ tịch UBND xã", agencies["UBND-02020"].id)],
            attendance_total=68, attendance_women=57, attendance_minority=63,
            conclusions="Giao Hội LHPN xã theo dõi việc thực hiện các cam kết.")
    return build


@pytest.fixture
def seed_pdf(seed_dialogue, tmp_path):
    dialogue = seed_dialogue()
    path = tmp_path / "minutes.pdf"
    path.write_bytes(services.read_issue(dialogue.current_issue))
    return path


def test_seed_dialogue_has_12_questions_and_5_commitments(seed_dialogue):
    dialogue = seed_dialogue()
    assert len(dialogue.questions) == 12
    assert sum(len(q.commitments) for q in dialogue.questions) == 5


def test_minutes_text_holds_every_question_answer_and_commitment(seed_pdf, pdf_text):
    text = pdf_text(seed_pdf)
    for _raiser, _category, content, answerer, answer, _outcome, promised in SEED_QUESTIONS:
        assert content in text
        assert answer in text and answerer in text
        for _agency, description, days in promised:
            assert description in text
            assert (HELD_ON + timedelta(days=days)).strftime("%d/%m/%Y") in text
    assert text.count("Ủy ban nhân dân xã Chợ Đồn") >= 4 and "Phòng Văn hóa - Xã hội xã Chợ Đồn" in text
    assert "chuyển Sở Y tế tỉnh Thái Nguyên" in text


def test_minutes_have_the_official_heading_and_signatures(seed_pdf, pdf_text):
    text = pdf_text(seed_pdf)
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "HỘI LHPN TỈNH THÁI NGUYÊN", "HỘI LHPN XÃ CHỢ ĐỒN", "Số: 01/BB-HLHPN",
                     "Chợ Đồn, ngày 28 tháng 9 năm 2025", "BIÊN BẢN", "THƯ KÝ", "CHỦ TRÌ", "Triệu Thị Mai",
                     "Hoàng Văn Thắng", "Nơi nhận:", "Nhà văn hóa bản Bản Ca", "Hồi 08 giờ 00 phút",
                     "kết thúc hồi 11 giờ 30 phút", "nữ 57 người", "người dân tộc thiểu số 63 người"):
        assert expected in text, expected
    assert "DỰ THẢO" not in text


def test_minutes_are_a4_with_text_inside_the_margins(seed_pdf):
    info = subprocess.run(["pdfinfo", str(seed_pdf)], check=True, capture_output=True, text=True).stdout
    assert "A4" in info and int(re.search(r"Pages:\s+(\d+)", info)[1]) >= 2
    bbox = subprocess.run(["pdftotext", "-bbox", str(seed_pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    found = re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<', bbox)
    words = [(*map(float, m[:4]), m[4]) for m in found]
    body = [w for w in words if not w[4].isdigit()]  # page numbers sit in the top margin, by design
    assert len(body) > 500
    assert min(w[0] for w in words) >= 30 * PT_PER_MM - 0.5      # left margin 30 mm
    assert max(w[2] for w in words) <= (210 - 15) * PT_PER_MM    # right margin at least 15 mm
    assert min(w[1] for w in body) >= 20 * PT_PER_MM - 0.5       # top margin 20 mm
    assert max(w[3] for w in words) <= (297 - 20) * PT_PER_MM    # bottom margin 20 mm


def test_minutes_fonts_are_embedded(seed_pdf):
    lines = subprocess.run(["pdffonts", str(seed_pdf)], check=True, capture_output=True,
                           text=True).stdout.splitlines()[2:]
    assert lines and all("Liberation" in line for line in lines)
    assert all(line.split()[-5] == "yes" for line in lines)  # the "emb" column


def test_page_numbers_from_page_two(seed_pdf):
    first = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-layout", str(seed_pdf), "-"], check=True,
                           capture_output=True, text=True).stdout
    second = subprocess.run(["pdftotext", "-f", "2", "-l", "2", "-layout", str(seed_pdf), "-"], check=True,
                            capture_output=True, text=True).stdout
    assert first.strip().splitlines()[0].strip() != "1"
    assert second.strip().splitlines()[0].strip() == "2"


def test_draft_has_no_number_and_is_not_stored(seed_dialogue, pdf_text, count):
    dialogue = seed_dialogue(status="held")
    text = pdf_text(render_minutes(dialogue))
    assert "DỰ THẢO" in text and re.search(r"Số: /BB-HLHPN", text)
    assert count(MinutesIssue) == 0


# --- numbering ---------------------------------------------------------------------------------

def test_numbers_follow_each_other_per_unit_and_year(create_dialogue):
    first = create_dialogue(status="approved")
    second = create_dialogue(status="approved")
    other_commune = create_dialogue(unit="02086", status="approved")
    last_year = create_dialogue(status="approved", held_on=date(clock.today().year - 1, 12, 30))
    assert (first.minutes_number_text, second.minutes_number_text) == ("01/BB-HLHPN", "02/BB-HLHPN")
    assert other_commune.minutes_number_text == "01/BB-HLHPN"
    assert last_year.minutes_number == 1 and last_year.minutes_year == clock.today().year - 1


def test_failed_approval_gives_its_number_back(create_dialogue, db, monkeypatch):
    import dialogues.minutes

    dialogue = create_dialogue(status="held", questions=1)

    def broken(*args, **kwargs):
        raise RuntimeError("renderer down")
    monkeypatch.setattr(dialogues.minutes, "render_minutes", broken)
    with pytest.raises(RuntimeError):
        services.approve_minutes(dialogue, None)
    db.session.rollback()
    monkeypatch.undo()
    services.approve_minutes(dialogue, None)
    db.session.commit()
    assert dialogue.minutes_number == 1


def test_concurrent_approvals_get_distinct_numbers_without_gaps(app, db, create_dialogue):
    """Approvals in parallel transactions (PostgreSQL row lock on the counter)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has a single writer; the row lock matters on PostgreSQL")
    import threading

    from app.extensions import db as _db
    from dialogues.models import Dialogue

    ids = [create_dialogue(status="held").id for _ in range(6)]
    barrier, errors = threading.Barrier(len(ids)), []

    def approve(dialogue_id):
        with app.app_context():
            try:
                barrier.wait()
                services.approve_minutes(_db.session.get(Dialogue, dialogue_id), None)
                _db.session.commit()
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=approve, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    numbers = sorted(db.session.scalars(sa.select(Dialogue.minutes_number).where(Dialogue.id.in_(ids))))
    assert numbers == [1, 2, 3, 4, 5, 6]


# --- headers -----------------------------------------------------------------------------------

def test_default_header_comes_from_the_unit_names(units):
    assert official.default_header(units["02020"]) == {
        "parent_body": "HỘI LHPN TỈNH THÁI NGUYÊN", "issuing_body": "HỘI LHPN XÃ CHỢ ĐỒN",
        "number_suffix": "BB-HLHPN", "place_name": "Chợ Đồn"}
    assert official.default_header(units["19"])["issuing_body"] == "HỘI LHPN TỈNH THÁI NGUYÊN"


def test_custom_header_is_used_and_frozen_at_approval(client, login_as, create_dialogue, units, pdf_text, db):
    login_as(Role.commune, "02020")
    response = client.post(f"/dialogues/header/{units['02020'].id}", data={
        "parent_body": "Hội LHPN tỉnh Thái Nguyên", "issuing_body": "Ban Thường vụ Hội LHPN xã Chợ Đồn",
        "number_suffix": "BB-PN", "place_name": "Bình Trung"})
    assert response.status_code == 302
    dialogue = create_dialogue(status="approved", questions=1)
    text = pdf_text(services.read_issue(dialogue.current_issue))
    assert "BAN THƯỜNG VỤ HỘI LHPN XÃ CHỢ ĐỒN" in text and "Số: 01/BB-PN" in text and "Bình Trung, ngày" in text
    client.post(f"/dialogues/header/{units['02020'].id}", data={
        "parent_body": "X", "issuing_body": "Y", "number_suffix": "BB-Z", "place_name": "Z"})
    services.add_addendum(dialogue, "Bổ sung tên đại biểu.", None)
    db.session.commit()
    assert "Số: 01/BB-PN" in pdf_text(services.read_issue(dialogue.current_issue))


def test_bad_header_suffix_is_refused(client, login_as, units):
    login_as(Role.commune, "02020")
    page = client.post(f"/dialogues/header/{units['02020'].id}", data={
        "issuing_body": "Hội LHPN xã", "number_suffix": "bb hlhpn/", "place_name": "Chợ Đồn"})
    assert page.status_code == 200 and "Ký hiệu chỉ gồm chữ in hoa" in page.get_data(as_text=True)


# --- addenda and verification --------------------------------------------------------------------

def test_addendum_appears_in_the_reissued_pdf_and_the_old_copy_still_verifies(seed_dialogue, pdf_text, db):
    dialogue = seed_dialogue()
    first = dialogue.current_issue
    old_bytes = services.read_issue(first)
    services.add_addendum(dialogue, "Bổ sung: bà Nông Thị Dung, Trưởng Trạm Y tế xã, có dự hội nghị.", None,
                          written_on=clock.today())
    db.session.commit()
    second = dialogue.current_issue
    assert (first.version, second.version) == (1, 2) and first.sha256 != second.sha256
    new_text = pdf_text(services.read_issue(second))
    assert "PHỤ LỤC ĐÍNH CHÍNH" in new_text and "Nông Thị Dung, Trưởng Trạm Y tế xã, có dự" in new_text
    assert "bản phát hành lần 2" in new_text and "Số: 01/BB-HLHPN" in new_text
    assert "PHỤ LỤC ĐÍNH CHÍNH" not in pdf_text(old_bytes)
    check = services.verify_copy(old_bytes, sa.true())
    assert [(issue.version, intact) for issue, intact in check.matches] == [(1, True)]
    assert not services.verify_copy(old_bytes + b"%", sa.true()).is_genuine


def test_verify_page_recognises_an_issued_copy_and_refuses_a_changed_one(client, login_as, create_dialogue):
    dialogue = create_dialogue(status="approved", questions=2, commitments=1)
    data = services.read_issue(dialogue.current_issue)
    login_as(Role.commune, "02020")
    from io import BytesIO

    good = client.post("/dialogues/verify", data={"file": (BytesIO(data), "bb.pdf")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "Đúng là bản đã phát hành" in good and dialogue.current_issue.sha256 in good
    changed = data[:1000] + bytes([data[1000] ^ 1]) + data[1001:]  # one bit flipped
    bad = client.post("/dialogues/verify", data={"file": (BytesIO(changed), "bb.pdf")},
                      content_type="multipart/form-data").get_data(as_text=True)
    assert "Không khớp" in bad
    by_hash = client.post("/dialogues/verify", data={"sha256": dialogue.current_issue.sha256.upper()})
    assert "Đúng là bản đã phát hành" in by_hash.get_data(as_text=True)


def test_verify_page_does_not_reveal_other_communes_minutes(client, login_as, create_dialogue):
    dialogue = create_dialogue(unit="02086", status="approved", questions=1)
    login_as(Role.commune, "02020")
    page = client.post("/dialogues/verify", data={"sha256": dialogue.current_issue.sha256})
    assert "Không khớp" in page.get_data(as_text=True)


def test_tampered_stored_copy_is_reported(create_dialogue, app):
    from pathlib import Path

    dialogue = create_dialogue(status="approved", questions=1)
    issue = dialogue.current_issue
    data = services.read_issue(issue)
    Path(app.config["STORAGE_DIR"], issue.storage_key).write_bytes(data + b"\n")
    check = services.verify_copy(data, sa.true())
    assert [intact for _issue, intact in check.matches] == [False]


def test_download_serves_the_stored_bytes(client, login_as, create_dialogue):
    dialogue = create_dialogue(status="approved", questions=1)
    login_as(Role.commune, "02020")
    response = client.get(f"/dialogues/{dialogue.id}/minutes.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data == services.read_issue(dialogue.current_issue)


def test_download_links_of_issued_minutes_save_the_file(client, login_as, create_dialogue):
    """The PDF is served inline (it opens when the URL is typed), so the "Tải" links carry the
    ``download`` attribute: a browser with a PDF viewer would otherwise show it instead of saving it."""
    dialogue = create_dialogue(status="approved", questions=1)
    login_as(Role.commune, "02020")
    html = client.get(f"/dialogues/{dialogue.id}").get_data(as_text=True)
    filename = dialogue.current_issue.filename
    assert f'href="/dialogues/{dialogue.id}/minutes.pdf" download="{filename}"' in html
    assert f'href="/dialogues/{dialogue.id}/minutes/v1.pdf" download="{filename}"' in html


def test_every_minutes_download_is_in_the_export_log(client, login_as, db, create_dialogue):
    """Minutes name every petitioner: the latest, a numbered version and a draft are all logged."""
    from app.models import ExportLog

    approved = create_dialogue(status="approved", questions=1)
    draft = create_dialogue(status="held", questions=1)
    user = login_as(Role.commune, "02020")
    for url in (f"/dialogues/{approved.id}/minutes.pdf", f"/dialogues/{approved.id}/minutes/v1.pdf",
                f"/dialogues/{draft.id}/minutes.pdf"):
        assert client.get(url).status_code == 200, url
    assert client.get(f"/dialogues/{approved.id}/minutes/v9.pdf").status_code == 404
    logged = db.session.execute(sa.select(ExportLog.user_id, ExportLog.kind, ExportLog.object_id, ExportLog.has_names)
                                .order_by(ExportLog.id)).all()
    assert logged == [(user.id, "dialogue_minutes_pdf", approved.id, True)] * 2 + [
        (user.id, "dialogue_minutes_pdf", draft.id, True)]
