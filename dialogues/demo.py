"""Demo dialogues modelled on the seed article: a dialogue held in bản Bản Ca (Xã Chợ Đồn) with
its minutes approved, and one being prepared in thôn Nà Nguộc (Xã Chợ Mới).

Idempotent: each demo dialogue carries a fixed creation token and is made only once. Dates are
relative to today, so commitments are partly due, partly overdue whenever the demo is loaded.
"""
from __future__ import annotations

from datetime import date, time, timedelta

import sqlalchemy as sa

from app import clock
from app.extensions import db
from app.models import Sex
from dialogues import services
from dialogues.models import AnswerOutcome, Dialogue, DialogueLevel, DialogueStatus, QuestionCategory, QuestionOrigin, RaiserKind
from dialogues.services import CommitmentRow, DialogueData, GroupData, LeaderData, QuestionRow

BAN_CA_TOKEN = "demo-ban-ca-1"
NA_NGUOC_TOKEN = "demo-na-nguoc-1"
CHAIR = ("Hoàng Văn Thắng", "Phó Bí thư Đảng ủy, Chủ tịch UBND xã")


def load_demo(ctx: dict) -> None:
    services.ensure_default_categories()
    if db.session.scalar(sa.select(Dialogue.id).where(Dialogue.creation_token == BAN_CA_TOKEN)) is None:
        _ban_ca(ctx)
    if db.session.scalar(sa.select(Dialogue.id).where(Dialogue.creation_token == NA_NGUOC_TOKEN)) is None:
        _na_nguoc(ctx)


def _categories() -> dict[str, int]:
    return dict(db.session.execute(sa.select(QuestionCategory.code, QuestionCategory.id)).all())


def _ban_ca(ctx: dict) -> None:
    agencies, people, officer = ctx["agencies"], ctx["people"], ctx["users"]["chodon"]
    ubnd, vhxh, syt = (agencies[c].id for c in ("UBND-02020", "VHXH-02020", "SYT-19"))
    held_on = clock.today() - timedelta(days=40)
    dialogue = services.create_dialogue(DialogueData(
        title="Hội nghị đối thoại giữa người đứng đầu cấp ủy, chính quyền xã với hội viên, phụ nữ cụm bản Bản Ca",
        level=DialogueLevel.village_cluster, unit_id=ctx["units"]["02020"].id,
        venue_unit_id=ctx["villages"]["Bản Ca"].id, held_on=held_on, start_time=time(8, 0), end_time=time(11, 15),
        venue="Nhà văn hóa bản Bản Ca", organiser="Hội LHPN xã Chợ Đồn",
        co_organisers="Ủy ban nhân dân xã Chợ Đồn\nỦy ban Mặt trận Tổ quốc Việt Nam xã Chợ Đồn",
        topics="Bình đẳng giới, phòng, chống bạo lực gia đình\nPhòng, chống tảo hôn và hôn nhân cận huyết thống\n"
               "Sinh kế và vốn vay cho phụ nữ dân tộc thiểu số",
        chair_name=CHAIR[0], chair_position=CHAIR[1],
        secretary_name="Triệu Thị Mai", secretary_position="Phó Chủ tịch Hội LHPN xã",
        leaders=[LeaderData(CHAIR[0], "Chủ tịch UBND xã", ubnd),
                 LeaderData("Ma Thị Hạnh", "Chủ tịch Hội LHPN xã"),
                 LeaderData("Bế Văn Sơn", "Công chức Văn hóa - Xã hội", vhxh),
                 LeaderData("Lý Văn Quảng", "Trưởng Công an xã"),
                 LeaderData("Nông Thị Dung", "Trưởng Trạm Y tế xã")],
        attendance_total=68, attendance_women=57, attendance_minority=63,
        groups=[GroupData("Hội viên, phụ nữ các bản", 52), GroupData("Người có uy tín, trưởng bản", 6),
                GroupData("Thành viên Tổ truyền thông cộng đồng", 10)],
        conclusions="Đồng chí chủ trì ghi nhận tinh thần thẳng thắn, xây dựng của hội viên, phụ nữ cụm bản Bản Ca; "
                    "các ý kiến thuộc thẩm quyền của xã được trả lời hoặc giao cơ quan chuyên môn thực hiện với "
                    "thời hạn cụ thể.\nGiao Hội LHPN xã theo dõi, tổng hợp kết quả thực hiện các cam kết, báo cáo "
                    "tại hội nghị đối thoại lần sau.",
    ), officer, token=BAN_CA_TOKEN)
    services.add_attendees(dialogue, [p.id for code, p in people.items() if code.startswith("CD-")])

    cat = _categories()

    def due(days: int) -> date:
        return held_on + timedelta(days=days)

    rows = [
        QuestionRow(origin=QuestionOrigin.collected, is_raised=True, person_code="CD-001", category_id=cat["credit"],
                    agency_id=ubnd,
                    content="Đề nghị xã hỗ trợ vốn vay ưu đãi để chị em người Dao phát triển chăn nuôi lợn đen, vì "
                            "nhiều hộ chưa đủ điều kiện thế chấp.",
                    answerer_name=CHAIR[0], answerer_title="Chủ tịch UBND xã", answerer_agency_id=ubnd,
                    answer="Tiếp thu ý kiến; giao Hội LHPN xã phối hợp Ngân hàng Chính sách xã hội rà soát, lập danh "
                           "sách hộ có nhu cầu vay qua tổ tiết kiệm và vay vốn do Hội quản lý, không phải thế chấp "
                           "với khoản vay dưới 100 triệu đồng.",
                    outcome=AnswerOutcome.accepted,
                    commitments=[CommitmentRow(agency_id=ubnd, responsible_person="Ma Thị Hạnh",
                                               description="Rà soát, lập danh sách hộ phụ nữ dân tộc Dao có nhu cầu "
                                                           "vay vốn chăn nuôi, gửi Ngân hàng Chính sách xã hội",
                                               deadline=due(30))]),
        QuestionRow(person_code="CD-002", category_id=cat["infrastructure"], agency_id=ubnd,
                    content="Đường vào khu sản xuất của bản bị sạt lở sau mưa lũ, học sinh và phụ nữ đi lại rất khó "
                            "khăn; đề nghị sớm khắc phục.",
                    answerer_name=CHAIR[0], answerer_title="Chủ tịch UBND xã", answerer_agency_id=ubnd,
                    answer="UBND xã đã kiểm tra hiện trường; cam kết bố trí kinh phí khắc phục tạm thời đoạn sạt lở "
                           "trước mùa mưa.",
                    outcome=AnswerOutcome.accepted,
                    commitments=[CommitmentRow(agency_id=ubnd, description="Khắc phục tạm thời đoạn đường sạt lở vào "
                                                                           "khu sản xuất bản Bản Ca",
                                               deadline=due(20))]),
        QuestionRow(raiser_kind=RaiserKind.group, raiser_name="Chi hội phụ nữ bản Bản Ca", raiser_sex=Sex.female,
                    category_id=cat["child_marriage"], agency_id=vhxh,
                    content="Một số gia đình vẫn tổ chức cưới cho con khi chưa đủ tuổi; đề nghị có biện pháp ngăn "
                            "chặn và tuyên truyền bằng tiếng dân tộc.",
                    answerer_name="Bế Văn Sơn", answerer_title="Công chức Văn hóa - Xã hội", answerer_agency_id=vhxh,
                    answer="Tiếp thu; phối hợp Công an xã và trưởng bản nắm tình hình, vận động từng gia đình; tổ chức "
                           "truyền thông bằng tiếng Dao, tiếng Tày lồng ghép sinh hoạt câu lạc bộ “Thủ lĩnh của sự "
                           "thay đổi”.",
                    outcome=AnswerOutcome.accepted,
                    commitments=[CommitmentRow(agency_id=vhxh, responsible_person="Bế Văn Sơn",
                                               description="Tổ chức truyền thông phòng, chống tảo hôn bằng tiếng Dao, "
                                                           "tiếng Tày tại bản Bản Ca và các bản lân cận",
                                               deadline=due(60))]),
        QuestionRow(raiser_kind=RaiserKind.anonymous, raiser_sex=Sex.female, ethnicity_code="08",
                    village_id=ctx["villages"]["Bản Ca"].id, category_id=cat["domestic_violence"], agency_id=ubnd,
                    content="Khi bị chồng đánh, chị em không biết báo cho ai và sợ gia đình nhà chồng trách; đề nghị "
                            "có nơi tin cậy để báo tin.",
                    answerer_name="Ma Thị Hạnh", answerer_title="Chủ tịch Hội LHPN xã",
                    answer="Chị em có thể báo chi hội trưởng, trưởng bản, Công an xã hoặc địa chỉ tin cậy tại bản; "
                           "thông tin người báo được giữ bí mật. Hội sẽ phổ biến số điện thoại của địa chỉ tin cậy "
                           "tại buổi sinh hoạt chi hội.",
                    outcome=AnswerOutcome.answered),
        QuestionRow(origin=QuestionOrigin.collected, is_raised=True, person_code="CD-005", category_id=cat["health"],
                    agency_id=ubnd,
                    content="Phụ nữ mang thai ở bản xa phải đi hơn 15 km để khám thai; đề nghị tổ chức khám thai "
                            "định kỳ lưu động tại bản.",
                    answerer_name=CHAIR[0], answerer_title="Chủ tịch UBND xã", answerer_agency_id=ubnd,
                    answer="Nội dung vượt thẩm quyền của xã; UBND xã sẽ có văn bản đề nghị Sở Y tế tỉnh bố trí khám "
                           "thai lưu động tại các bản vùng cao.",
                    outcome=AnswerOutcome.forwarded, forwarded_agency_id=syt,
                    forward_letter_number="45/UBND-VP", forward_deadline=due(45),
                    commitments=[CommitmentRow(agency_id=ubnd, description="Gửi văn bản đề nghị Sở Y tế tỉnh bố trí "
                                                                           "khám thai lưu động tại các bản vùng cao",
                                               deadline=due(15))]),
        QuestionRow(person_code="CD-004", category_id=cat["education"], agency_id=ubnd,
                    content="Đề nghị hỗ trợ tiền ăn bán trú cho học sinh ở bản xa trường.",
                    answerer_name=CHAIR[0], answerer_title="Chủ tịch UBND xã", answerer_agency_id=ubnd,
                    answer="Học sinh bản Bản Ca thuộc diện được xét hỗ trợ tiền ăn theo quy định; các gia đình nộp hồ "
                           "sơ tại nhà trường, UBND xã đã đề nghị nhà trường rà soát đủ danh sách.",
                    outcome=AnswerOutcome.answered),
        QuestionRow(person_code="CD-006", category_id=cat["livelihood"], agency_id=ubnd,
                    content="Chị em muốn được tập huấn kỹ thuật trồng, chăm sóc quế và được hỗ trợ cây giống.",
                    answerer_name=CHAIR[0], answerer_title="Chủ tịch UBND xã", answerer_agency_id=ubnd,
                    answer="Tiếp thu; xã sẽ phối hợp Hội LHPN mở lớp tập huấn, lồng ghép hỗ trợ cây giống từ nguồn "
                           "Chương trình mục tiêu quốc gia.",
                    outcome=AnswerOutcome.accepted,
                    commitments=[CommitmentRow(agency_id=ubnd, description="Tổ chức lớp tập huấn kỹ thuật trồng, "
                                                                           "chăm sóc quế cho phụ nữ bản Bản Ca",
                                               deadline=due(75))]),
        QuestionRow(person_code="CD-003", category_id=cat["security"],
                    content="Nhiều chị em bị lừa qua điện thoại, mạng xã hội; đề nghị hướng dẫn cách nhận biết.",
                    answerer_name="Lý Văn Quảng", answerer_title="Trưởng Công an xã",
                    answer="Không cung cấp mã OTP, không chuyển tiền cho người lạ tự xưng cán bộ; khi nghi ngờ hãy "
                           "báo ngay Công an xã. Công an xã sẽ tuyên truyền tại các buổi họp bản.",
                    outcome=AnswerOutcome.answered),
        QuestionRow(origin=QuestionOrigin.collected, is_raised=True, raiser_kind=RaiserKind.group,
                    raiser_name="Tổ truyền thông cộng đồng bản Bản Ca", category_id=cat["social_policy"],
                    agency_id=vhxh,
                    content="Đề nghị hỗ trợ kinh phí hoạt động để Tổ truyền thông cộng đồng duy trì sinh hoạt hằng "
                            "tháng.",
                    answerer_name="Bế Văn Sơn", answerer_title="Công chức Văn hóa - Xã hội", answerer_agency_id=vhxh,
                    answer="Ghi nhận; sẽ tham mưu UBND xã xem xét khi lập dự toán năm sau.",
                    outcome=AnswerOutcome.noted),
        QuestionRow(origin=QuestionOrigin.collected, is_raised=False, person_code="CD-001", category_id=cat["land"],
                    agency_id=ubnd,
                    content="Đề nghị cấp giấy chứng nhận quyền sử dụng đất đứng tên cả vợ và chồng cho các hộ đã đăng "
                            "ký."),
    ]
    services.save_question_rows(dialogue, rows, officer)
    if dialogue.status is DialogueStatus.planned:  # a past date makes it held at once
        services.mark_held(dialogue, officer)
    services.approve_minutes(dialogue, officer, "Biên bản đã được thông qua tại hội nghị.")


def _na_nguoc(ctx: dict) -> None:
    officer = ctx["users"]["chomoi"]
    ubnd = ctx["agencies"]["UBND-02086"].id
    dialogue = services.create_dialogue(DialogueData(
        title="Hội nghị đối thoại giữa người đứng đầu cấp ủy, chính quyền xã với hội viên, phụ nữ thôn Nà Nguộc",
        level=DialogueLevel.village_cluster, unit_id=ctx["units"]["02086"].id,
        venue_unit_id=ctx["villages"]["Nà Nguộc"].id, held_on=clock.today() + timedelta(days=14),
        start_time=time(14, 0), venue="Nhà văn hóa thôn Nà Nguộc", organiser="Hội LHPN xã Chợ Mới",
        topics="Xóa bỏ định kiến giới và khuôn mẫu giới\nPhòng, chống mua bán người",
        chair_name="Đinh Văn Lực", chair_position="Chủ tịch UBND xã",
        secretary_name="Lý Thị Mai", secretary_position="Chủ tịch Hội LHPN xã",
    ), officer, token=NA_NGUOC_TOKEN)
    cat = _categories()
    services.save_question_rows(dialogue, [
        QuestionRow(origin=QuestionOrigin.collected, is_raised=False, person_code="CM-002",
                    category_id=cat["livelihood"], agency_id=ubnd,
                    content="Đề nghị mở lớp dạy nghề may cho phụ nữ trẻ để không phải đi làm xa."),
        QuestionRow(origin=QuestionOrigin.collected, is_raised=False, raiser_kind=RaiserKind.anonymous,
                    raiser_sex=Sex.female, category_id=cat["security"], agency_id=ubnd,
                    content="Có người lạ đến thôn rủ các em gái sang Trung Quốc làm việc lương cao; đề nghị chính "
                            "quyền kiểm tra."),
        QuestionRow(origin=QuestionOrigin.collected, is_raised=False, person_code="CM-004",
                    category_id=cat["infrastructure"], agency_id=ubnd,
                    content="Nước sinh hoạt mùa khô thiếu, bể chứa tập trung của thôn hư hỏng; đề nghị sửa chữa."),
    ], officer)
