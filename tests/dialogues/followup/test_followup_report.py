""""Kết quả giải quyết kiến nghị kỳ trước": which commitments the report for the next dialogue
lists, and the PDF in the official layout."""
from datetime import date

import pytest

from app.models import Role
from dialogues import services
from dialogues.follow_up.report import previous_results, render_previous_results
from dialogues.models import CommitmentStatus, DialogueLevel
from dialogues.services import DialogueData

S = CommitmentStatus


@pytest.fixture
def sessions(db, make_dialogue, commitments_of, ubnd_user, clock_now, units):
    """Chợ Đồn held dialogues in January and April 2025; the next is planned for 20 June."""
    january = commitments_of(make_dialogue(held_on=date(2025, 1, 10), items=[("UBND-02020", 20)] * 3))
    april = commitments_of(make_dialogue(held_on=date(2025, 4, 8), items=[("UBND-02020", 20), ("VHXH-02020", 30)]))
    elsewhere = commitments_of(make_dialogue("02086", held_on=date(2025, 4, 9), items=[("UBND-02086", 20)]))

    def resolve(commitment, day, note):
        clock_now.day = day
        commitment.move_to(S.in_progress, ubnd_user)
        commitment.move_to(S.resolved, ubnd_user, note)
    resolve(january[0], date(2025, 2, 1), "Đã sửa xong cầu treo bản Bản Ca")            # closed before April
    resolve(january[2], date(2025, 5, 3), "Đã cấp 12 suất học bổng cho học sinh nữ")    # closed since April
    resolve(april[1], date(2025, 5, 20), "Đã tổ chức 3 buổi truyền thông")
    clock_now.day = date(2025, 6, 2)
    january[1].move_to(S.in_progress, ubnd_user, "Đang chờ kinh phí")                    # carried over, overdue
    upcoming = services.create_dialogue(DialogueData(
        title="Hội nghị đối thoại quý II", level=DialogueLevel.commune, unit_id=units["02020"].id,
        held_on=date(2025, 6, 20)), None)
    db.session.commit()
    return {"january": january, "april": april, "elsewhere": elsewhere, "upcoming": upcoming}


def test_lists_the_last_session_the_carried_over_and_the_recently_closed(db, sessions):
    last, rows = previous_results(sessions["upcoming"], date(2025, 6, 2))
    january, april = sessions["january"], sessions["april"]
    assert last == date(2025, 4, 8)
    assert [r.commitment.id for r in rows] == [january[1].id, january[2].id, april[0].id, april[1].id]
    overdue = {r.commitment.id: r.days_overdue for r in rows}
    assert overdue[january[1].id] == (date(2025, 6, 2) - date(2025, 1, 30)).days and overdue[april[1].id] == 0
    notes = {r.commitment.id: r.outcome_note for r in rows}
    assert notes[january[2].id] == "Đã cấp 12 suất học bổng cho học sinh nữ" and notes[april[0].id] == ""


def test_the_pdf_is_an_official_report(db, sessions, pdf_text, officer):
    text = pdf_text(render_previous_results(sessions["upcoming"], officer, date(2025, 6, 2)))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "HỘI LHPN XÃ CHỢ ĐỒN" in text
    assert "BÁO CÁO" in text and "Kết quả giải quyết ý kiến, kiến nghị tại hội nghị đối thoại kỳ trước" in text
    assert "Chợ Đồn, ngày 02 tháng 6 năm 2025" in text
    assert "hội nghị đối thoại ngày 08/04/2025" in text and "hội nghị đối thoại ngày 20/06/2025" in text
    assert "Tổng số 4 nội dung cam kết: đã giải quyết 2" in text and "đang thực hiện 1; chưa thực hiện 1" in text
    assert "Đã cấp 12 suất học bổng cho học sinh nữ" in text and "Đã sửa xong cầu treo" not in text
    assert "quá hạn 123 ngày" in text and "Nơi nhận:" in text


def test_without_an_earlier_session_the_report_says_so(db, make_dialogue, pdf_text, officer):
    first = make_dialogue(held_on=date(2025, 3, 1))
    text = pdf_text(render_previous_results(first, officer, date(2025, 6, 2)))
    assert "chưa có hội nghị đối thoại nào được duyệt biên bản trước ngày 01/03/2025" in text


def test_download_from_the_dialogue_page(client, login_as, sessions, pdf_text):
    login_as(Role.commune, "02020")
    page = client.get(f"/dialogues/{sessions['upcoming'].id}").get_data(as_text=True)
    url = f"/dialogues/{sessions['upcoming'].id}/previous-results.pdf"
    assert url in page
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "Đã cấp 12 suất học bổng" in pdf_text(response.data)
