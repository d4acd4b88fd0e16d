"""app.official: one naming rule for unions, one header per union (its own settings first), one
frame for every official PDF and one download helper."""
from datetime import date

import pytest

from app import official
from app.models import OrgHeader


def test_union_names_come_from_the_unit(units):
    assert official.union_name(units["02020"]) == "HỘI LHPN XÃ CHỢ ĐỒN"
    assert official.union_display_name(units["19"]) == "Hội LHPN tỉnh Thái Nguyên"
    assert official.union_display_name(units["VN"]) == "Hội LHPN Việt Nam"
    assert official.short_name(units["02020"]) == "Chợ Đồn"
    # A village has no union of its own: its commune's issues its documents.
    assert official.issuing_unit(units["ban_ca"]) is units["02020"]


def test_a_unions_own_header_wins_for_it_and_its_villages(db, units):
    assert official.header_lines(units["02020"]) == official.default_header(units["02020"])
    db.session.add(OrgHeader(unit=units["02020"], parent_body="HỘI LHPN TỈNH THÁI NGUYÊN",
                             issuing_body="BAN THƯỜNG VỤ HỘI LHPN XÃ CHỢ ĐỒN", number_suffix="BB-PN",
                             place_name="Bình Trung"))
    db.session.flush()
    for unit in (units["02020"], units["ban_ca"]):
        assert official.header_lines(unit)["issuing_body"] == "BAN THƯỜNG VỤ HỘI LHPN XÃ CHỢ ĐỒN"
    frame = official.frame(units["ban_ca"], doc_type="Báo cáo", code=official.REPORT_CODE, subject="Kết quả",
                           doc_date=date(2025, 9, 28), signers=[], recipients=[])
    assert frame["number"] == "\u00a0" * 8 + "/BC-PN" and frame["place"] == "Bình Trung"
    minutes = official.frame(units["02020"], doc_type="Biên bản", subject="", doc_date=date(2025, 9, 28),
                             signers=[], recipients=[], number="05/BB-PN")
    assert minutes["number"] == "05/BB-PN"


@pytest.mark.parametrize(("name", "inline", "expected"), [
    ("bien-ban-05.pdf", True, 'inline; filename="bien-ban-05.pdf"'),
    ("Biên bản đối thoại.pdf", False,
     "attachment; filename=\"Bien ban doi thoai.pdf\"; "
     "filename*=UTF-8''Bi%C3%AAn%20b%E1%BA%A3n%20%C4%91%E1%BB%91i%20tho%E1%BA%A1i.pdf"),
    ('a"b\\c.xlsx', False, "attachment; filename=\"abc.xlsx\"; filename*=UTF-8''a%22b%5Cc.xlsx"),
])
def test_file_names_are_safe_in_every_browser(name, inline, expected):
    assert official.content_disposition(name, inline=inline) == expected


def test_send_document_marks_personal_files_no_store(app):
    with app.test_request_context("/"):
        personal = official.send_document(b"%PDF", "phieu.pdf", "application/pdf", inline=True)
        public = official.send_document(b"PK", "mau.xlsx", "application/vnd.ms-excel", personal=False)
    assert personal.headers["Cache-Control"] == "private, no-store" and personal.headers["Pragma"] == "no-cache"
    assert personal.headers["Content-Disposition"] == 'inline; filename="phieu.pdf"'
    assert "no-store" not in public.headers.get("Cache-Control", "")
    assert public.headers["Content-Disposition"] == 'attachment; filename="mau.xlsx"'
    assert personal.headers["X-Content-Type-Options"] == "nosniff"
