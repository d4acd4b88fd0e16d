"""Issue #14: minutes that read right (recipients, closing kept together, long strings wrap,
undrawable characters refused at input) and verification anyone can use (code + QR, public page)."""
import re
import subprocess
from datetime import date
from app import clock
from io import BytesIO

import pytest

from app import official
from app.forms import undrawable
from app.models import Role
from dialogues import services
from dialogues.minutes import minutes_context, render_minutes
from dialogues.services.minutes import normalise_code, public_check


def test_recipients_never_name_a_body_twice_nor_the_issuer():
    lines = official.clean_recipients([
        "Đảng ủy, HĐND, UBND xã Chợ Đồn (để báo cáo)", "Hội LHPN tỉnh Thái Nguyên (để báo cáo)",
        "Ủy ban nhân dân xã Chợ Đồn", "UBND xã Chợ Đồn", "Trạm Y tế xã Chợ Đồn", "Trạm Y tế xã Chợ Đồn",
        "Hội Liên hiệp Phụ nữ xã Chợ Đồn", "", "Lưu: VT, VP"], "HỘI LHPN XÃ CHỢ ĐỒN")
    assert lines == ["Đảng ủy, HĐND, UBND xã Chợ Đồn (để báo cáo)", "Hội LHPN tỉnh Thái Nguyên (để báo cáo)",
                     "Trạm Y tế xã Chợ Đồn", "Lưu: VT, VP"]
    assert official.clean_recipients(["Sở Y tế tỉnh Thái Nguyên"], "Hội LHPN xã A")[-1] == "Lưu: VT"


def test_default_recipients_of_a_dialogue_with_a_commitment_to_the_ubnd(create_dialogue, pdf_text):
    """Commitments of the People's Committee made it a second recipient before #14."""
    dialogue = create_dialogue(status="approved", questions=2, commitments=2)
    recipients = minutes_context(dialogue)["recipients"]
    assert sum("UBND" in r or "Ủy ban nhân dân" in r for r in recipients) == 1, recipients
    assert recipients[-1] == "Lưu: VT" and not any("Hội LHPN xã Chợ Đồn" == r for r in recipients)
    text = pdf_text(services.read_issue(dialogue.current_issue))
    assert text.count("Lưu: VT") == 1


def test_the_issuer_is_listed_once_before_the_archive_when_configured():
    typed = ["UBND xã Chợ Đồn", "Hội Liên hiệp Phụ nữ xã Chợ Đồn (để theo dõi)", "Hội LHPN xã Chợ Đồn", "Lưu: VT"]
    assert official.clean_recipients(typed, "HỘI LHPN XÃ CHỢ ĐỒN") == ["UBND xã Chợ Đồn", "Lưu: VT"]
    # configured: the first typed line naming the issuer, moved before "Lưu: VT"; the repeat dropped
    assert official.clean_recipients(typed, "HỘI LHPN XÃ CHỢ ĐỒN", issuer_line="Hội LHPN xã Chợ Đồn") == [
        "UBND xã Chợ Đồn", "Hội Liên hiệp Phụ nữ xã Chợ Đồn (để theo dõi)", "Lưu: VT"]
    # none typed: the issuer's own name is added
    assert official.clean_recipients(["UBND xã Chợ Đồn"], "HỘI LHPN XÃ CHỢ ĐỒN", issuer_line="Hội LHPN xã Chợ Đồn") == [
        "UBND xã Chợ Đồn", "Hội LHPN xã Chợ Đồn", "Lưu: VT"]


def _recipients_block(text: str) -> str:
    return text[text.rindex("Nơi nhận"):]


@pytest.mark.parametrize("configured", [False, True], ids=["usual form", "issuer as recipient"])
def test_minutes_pdf_lists_the_issuer_only_when_configured(app, create_dialogue, pdf_text, monkeypatch, configured):
    """MINUTES_ISSUER_AS_RECIPIENT: the issuing union among the recipients, once, just before
    "Lưu: VT"; without it the union's copy is "Lưu: VT" alone."""
    monkeypatch.setitem(app.config, "MINUTES_ISSUER_AS_RECIPIENT", configured)
    dialogue = create_dialogue(status="approved", questions=2, commitments=1)
    block = _recipients_block(pdf_text(services.read_issue(dialogue.current_issue)))
    assert block.count("Lưu: VT") == 1
    if configured:
        assert block.count("Hội LHPN xã Chợ Đồn") == 1 and "- Hội LHPN xã Chợ Đồn; - Lưu: VT." in block, block
    else:
        assert "Hội LHPN xã Chợ Đồn" not in block, block


def test_typed_recipients_keep_the_issuer_once_when_configured(app, create_dialogue, pdf_text, monkeypatch, db):
    monkeypatch.setitem(app.config, "MINUTES_ISSUER_AS_RECIPIENT", True)
    dialogue = create_dialogue(status="held", recipients="Hội LHPN xã Chợ Đồn (để theo dõi)\nUBND xã Chợ Đồn\n"
                                                         "Hội Liên hiệp Phụ nữ xã Chợ Đồn\nLưu: VT")
    block = _recipients_block(pdf_text(render_minutes(dialogue)))
    assert "- UBND xã Chợ Đồn; - Hội LHPN xã Chợ Đồn (để theo dõi); - Lưu: VT." in block, block
    assert "Hội Liên hiệp" not in block


def _pdf_pages(pdf: bytes, tmp_path) -> list[str]:
    path = tmp_path / "m.pdf"
    path.write_bytes(pdf)
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(path)], capture_output=True,
                                                             text=True, check=True).stdout)[1])
    return [subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), "-layout", str(path), "-"], capture_output=True,
                           text=True, check=True).stdout for n in range(1, pages + 1)]


def test_a_200_character_name_wraps_and_the_closing_stays_together(create_dialogue, tmp_path, db):
    name = "Triệu" + "X" * 195
    dialogue = create_dialogue(status="held", questions=3, secretary_name=name)
    pages = _pdf_pages(render_minutes(dialogue), tmp_path)
    last = pages[-1]
    # the closing sentence, both signatures and "Nơi nhận" are on the same (last) page
    assert "Hội nghị kết thúc" in last and "THƯ KÝ" in last and "CHỦ TRÌ" in last and "Nơi nhận" in last
    # the name is printed whole (wrapped over lines), inside the page: every X is there
    assert sum(page.count("X") for page in pages) >= 195
    widths = subprocess.run(["pdftotext", "-bbox", str(tmp_path / "m.pdf"), "-"], capture_output=True, text=True,
                            check=True).stdout
    x_max = max(float(v) for v in re.findall(r'xMax="([\d.]+)"', widths))
    assert x_max <= 595.3 - 20 / 25.4 * 72 + 1  # A4 width minus the 20 mm right margin


@pytest.mark.parametrize("text, bad", [("Chị Lan 😀", ["😀"]), ("Đạt ✅ và 🙏", ["✅", "🙏"]),
                                       ("Ý kiến “đúng” — chữ Việt ụ ữ ặ …", [])])
def test_undrawable_characters_are_named(text, bad):
    assert undrawable(text) == bad


def test_emoji_is_refused_at_input_with_a_clear_message(client, login_as, create_dialogue, count):
    from dialogues.models import DialogueQuestion

    dialogue = create_dialogue(status="held")
    login_as(Role.commune, "02020")
    page = client.post(f"/dialogues/{dialogue.id}/questions", data={
        "revision": dialogue.entry_revision, "questions-0-origin": "on_day", "questions-0-raiser_kind": "person",
        "questions-0-is_raised": "y", "questions-0-raiser_name": "Bà Lan 😀",
        "questions-0-content": "Đề nghị làm đường 🙏"}).get_data(as_text=True)
    assert "không in được ký tự “😀”" in page and "“🙏”" in page and count(DialogueQuestion) == 0
    assert 'value="Bà Lan 😀"' in page  # what was typed stays on the page


def test_issued_pdf_carries_a_code_and_a_qr_of_the_public_page(create_dialogue, pdf_text):
    dialogue = create_dialogue(status="approved", questions=1)
    issue = dialogue.current_issue
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}", issue.verify_code)
    text = pdf_text(services.read_issue(issue))
    assert f"Mã xác thực: {issue.verify_code}" in text and f"/dialogues/check/{issue.verify_code}" in text
    assert b"<svg" not in services.read_issue(issue)  # the QR is drawn (vector paths), not pasted as text
    decoded = subprocess.run(["pdftoppm", "-png", "-r", "150", "-l", "1", "-"], input=services.read_issue(issue),
                             capture_output=True).returncode
    assert decoded == 0


def test_public_page_answers_without_login_and_shows_no_content(client, create_dialogue, db):
    dialogue = create_dialogue(status="approved", questions=1)
    first = dialogue.current_issue
    page = client.get(f"/dialogues/check/{first.verify_code.lower().replace('-', ' ')}").get_data(as_text=True)
    assert "bản hiện hành" in page and dialogue.minutes_number_text in page and "lần 1 / 1" in page
    assert dialogue.title not in page and "Nội dung ý kiến" not in page
    services.add_addendum(dialogue, "Bổ sung số người dự.", None, written_on=clock.today())
    db.session.commit()
    old = client.get(f"/dialogues/check/{first.verify_code}").get_data(as_text=True)
    assert "đã bị thay thế" in old and 'class="verify-result superseded"' in old and "lần 1 / 2" in old
    by_file = client.post("/dialogues/check", data={"file": (BytesIO(services.read_issue(dialogue.current_issue)),
                                                             "bb.pdf")}, content_type="multipart/form-data")
    assert "bản hiện hành" in by_file.get_data(as_text=True)
    wrong = client.get("/dialogues/check/ZZZZZ-ZZZZZ").get_data(as_text=True)
    assert "Không khớp" in wrong


def test_code_and_hash_are_read_as_typed():
    assert normalise_code(" k7qf2 m9xhd\n") == "K7QF2-M9XHD"


def test_logged_in_verify_trims_the_pasted_hash_and_marks_superseded(client, login_as, create_dialogue, db):
    dialogue = create_dialogue(status="approved", questions=1)
    first = dialogue.current_issue
    services.add_addendum(dialogue, "Bổ sung.", None, written_on=clock.today())
    db.session.commit()
    login_as(Role.commune, "02020")
    pasted = "  " + first.sha256[:32] + "\n " + first.sha256[32:].upper() + "  "
    page = client.post("/dialogues/verify", data={"sha256": pasted}).get_data(as_text=True)
    assert "đã bị thay thế" in page and 'class="verify-result superseded"' in page


def test_public_check_is_rate_limited_per_address_in_the_database(app, client, create_dialogue, db, monkeypatch):
    """Beyond DIALOGUE_CHECKS_PER_MINUTE_ADDRESS attempts a minute from one address, codes or files,
    the page answers 429 in Vietnamese with Retry-After; the count is kept in the database, so a
    fresh client (another worker, another host) from the same address is refused too, and another
    address is not."""
    import sqlalchemy as sa
    from app.models import RateEvent

    monkeypatch.setitem(app.config, "DIALOGUE_CHECKS_PER_MINUTE_ADDRESS", 3)
    code = create_dialogue(status="approved", questions=1).current_issue.verify_code
    here = {"REMOTE_ADDR": "203.0.113.7"}
    assert client.get(f"/dialogues/check/{code}", environ_base=here).status_code == 200
    assert client.get("/dialogues/check/ZZZZZ-ZZZZZ", environ_base=here).status_code == 200
    assert client.post("/dialogues/check", data={"code": code}, environ_base=here).status_code == 200
    refused = client.get(f"/dialogues/check/{code}", environ_base=here)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"
    assert "tra cứu biên bản quá nhiều lần" in page and "bản hiện hành" not in page
    assert app.test_client().get(f"/dialogues/check/{code}", environ_base=here).status_code == 429
    assert db.session.scalar(sa.select(sa.func.count(RateEvent.id))
                             .where(RateEvent.bucket == "check@203.0.113.7")) == 3
    elsewhere = client.get(f"/dialogues/check/{code}", environ_base={"REMOTE_ADDR": "198.51.100.2"})
    assert elsewhere.status_code == 200 and "bản hiện hành" in elsewhere.get_data(as_text=True)
