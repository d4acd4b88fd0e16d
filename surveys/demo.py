"""Demo data: a held training in Xã Chợ Mới for the Nà Nguộc people, with pre and post answers.

Idempotent: the topics, the test and the training are created only when missing.
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from app.extensions import db
from surveys import services
from surveys.models import Phase, QuestionKind, ResponseSource, Training

TOPICS = [
    "Bình đẳng giới", "Phòng, chống bạo lực gia đình", "Phòng, chống tảo hôn", "Phòng, chống mua bán người",
    "Phòng, chống lừa đảo trực tuyến", "Kỹ năng tham gia đối thoại chính sách",
]
TITLE = "Tập huấn bình đẳng giới, phòng chống bạo lực gia đình và lừa đảo trực tuyến"
TEST_TITLE = "Kiểm tra kiến thức: bình đẳng giới, bạo lực gia đình, lừa đảo trực tuyến"
QUESTIONS = [
    dict(text="Bạo lực gia đình là chuyện riêng của mỗi nhà, người ngoài không nên can thiệp.",
         kind=QuestionKind.truefalse, correct=[2]),
    dict(text="Số điện thoại của Tổng đài quốc gia bảo vệ trẻ em là số nào?", kind=QuestionKind.single,
         options=["113", "111", "115", "114"], correct=[2], has_dont_know=True),
    dict(text="Theo Luật Hôn nhân và gia đình, nữ được kết hôn từ bao nhiêu tuổi?", kind=QuestionKind.single,
         options=["Đủ 16 tuổi", "Đủ 17 tuổi", "Đủ 18 tuổi", "Đủ 20 tuổi"], correct=[3], has_dont_know=True),
    dict(text="Những dấu hiệu nào cho thấy một cuộc gọi có thể là lừa đảo?", kind=QuestionKind.multi,
         options=["Tự xưng công an, đòi chuyển tiền để “xác minh”", "Báo trúng thưởng, bắt nộp phí trước khi nhận",
                  "Gửi đường link lạ, đề nghị nhập mật khẩu hoặc mã OTP", "Người thân gọi hỏi thăm sức khỏe"],
         correct=[1, 2, 3], points=2),
    dict(text="Việc nhà và chăm sóc con cái là trách nhiệm chung của cả vợ và chồng.",
         kind=QuestionKind.truefalse, correct=[1]),
    dict(text="Khi có tin nhắn đề nghị cung cấp mã OTP ngân hàng, chị nên làm gì?", kind=QuestionKind.single,
         options=["Gửi mã ngay để tài khoản khỏi bị khóa", "Không cung cấp, báo cho ngân hàng hoặc công an",
                  "Gửi mã nếu người đó nói là nhân viên ngân hàng"], correct=[2], has_dont_know=True),
    dict(text="Hành vi nào sau đây là bạo lực gia đình?", kind=QuestionKind.single,
         options=["Chồng cấm vợ đi sinh hoạt Hội Phụ nữ, gặp gỡ bạn bè", "Vợ chồng cùng bàn bạc việc chi tiêu",
                  "Con cái giúp bố mẹ làm nương"], correct=[1]),
    dict(text="Tảo hôn gây hại cho sức khỏe của người mẹ trẻ và em bé.", kind=QuestionKind.truefalse, correct=[1]),
    dict(text="Tôi tự tin khuyên người thân không chuyển tiền khi nhận cuộc gọi lạ.", kind=QuestionKind.likert),
    dict(text="Điều chị thấy hữu ích nhất trong buổi tập huấn là gì?", kind=QuestionKind.text),
]
# Person code -> answers Q1..Q10 before and after ("" = left blank).
ANSWERS = {
    "CM-001": (["2", "1", "3", "1,2", "1", "2", "1", "1", "3", ""],
               ["2", "2", "3", "1,2,3", "1", "2", "1", "1", "5", "Biết số 111 để báo khi trẻ em bị xâm hại"]),
    "CM-002": (["1", "5", "1", "1", "2", "1", "2", "1", "2", ""],
               ["2", "2", "3", "1,2,3", "1", "2", "1", "1", "4", "Cách nhận biết cuộc gọi lừa đảo"]),
    "CM-003": (["2", "2", "3", "1,2,3", "1", "2", "1", "1", "4", ""],
               ["2", "2", "3", "1,2,3", "1", "2", "1", "1", "5", "Chồng cũng phải làm việc nhà"]),
    "CM-004": (["1", "5", "5", "3", "1", "4", "1", "2", "3", ""],
               ["2", "2", "3", "1,3", "1", "2", "1", "1", "4", ""]),
    "CM-005": (["1", "3", "4", "1,2", "2", "2", "2", "1", "2", ""],
               ["2", "5", "4", "1,2,3", "1", "2", "1", "1", "4", "Không được giữ chuyện bạo lực trong nhà"]),
    "CM-006": (["1", "5", "1", "", "1", "1", "1", "2", "3", ""],
               ["1", "2", "3", "2,3", "1", "2", "1", "1", "4", "Tảo hôn có hại"]),
}


def load_demo(ctx: dict) -> None:
    topics = {name: services.topic_by_name(name) or services.save_topic(None, name) for name in TOPICS}
    commune, trainer = ctx["units"]["02086"], ctx["users"]["taphuan"]
    if db.session.scalar(sa.select(Training.id).where(Training.title == TITLE, Training.unit_id == commune.id)):
        return
    topic = topics["Bình đẳng giới"]
    owner = ctx["units"]["19"]
    questions = [services.save_question(None, topic=topic, unit=owner, user=trainer, **q) for q in QUESTIONS]
    instrument = services.create_instrument(title=TEST_TITLE, topic=topic, unit=owner, user=trainer,
                                            contents=services.question_contents(questions), shuffle_options=True)
    training = services.save_training(
        None, title=TITLE, topic=topic, unit=commune, instrument=instrument, start_date=date(2025, 9, 20),
        end_date=date(2025, 9, 21), venue="Nhà văn hóa thôn Nà Nguộc", trainers=trainer.full_name, user=trainer)
    training.created_by_id = trainer.id
    for code, (pre, post) in ANSWERS.items():
        person = ctx["people"][code]
        services.add_participant(training, person)
        for phase, raw, source in ((Phase.pre, pre, ResponseSource.grid), (Phase.post, post, ResponseSource.phone)):
            answers, errors = services.parse_answers(
                training.version.items, {f"Q{i}": value for i, value in enumerate(raw, start=1)})
            assert not errors, errors
            services.save_response(training, phase, person, answers, source=source, user=trainer)
    for phase in Phase:
        services.set_phase_open(training, phase, True)
        services.set_phase_open(training, phase, False)
    db.session.flush()
