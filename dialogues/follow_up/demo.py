"""Demo follow-up on the Bản Ca dialogue (see ``dialogues.demo``): the commune People's
Committee is late on the credit list (overdue), resolved the road (late) with a photo, forwarded
the antenatal-care request to the provincial Department of Health and lawfully extended the
cinnamon training; the culture office is working on the child-marriage campaign. Idempotent:
skipped once any event exists.
"""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app import clock
from dialogues.demo import BAN_CA_TOKEN
from dialogues.models import Commitment, CommitmentEvent, CommitmentStatus, Dialogue, DialogueQuestion
from dialogues.services import follow_up

# A 1x1 PNG: real image bytes, so the evidence passes the content check.
DEMO_PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                         "1f15c4890000000d49444154789c6360f80f0000010101005d2d6b2a0000000049454e44ae426082")


def load_demo(ctx: dict) -> None:
    dialogue = db.session.scalar(sa.select(Dialogue).where(Dialogue.creation_token == BAN_CA_TOKEN))
    if dialogue is None:
        return
    commitments = db.session.scalars(sa.select(Commitment).join(Commitment.question)
                                     .where(DialogueQuestion.dialogue_id == dialogue.id, Commitment.is_petition.is_(False))
                                     .order_by(DialogueQuestion.number, Commitment.position)).all()
    if not commitments or db.session.scalar(sa.select(CommitmentEvent.id).where(
            CommitmentEvent.commitment_id.in_([c.id for c in commitments])).limit(1)) is not None:
        return
    credit, road, child_marriage, health, cinnamon = commitments
    ubnd, union = ctx["users"]["ubnd_chodon"], ctx["users"]["chodon"]
    today = clock.today()

    follow_up.update_commitment(credit, ubnd, status=CommitmentStatus.in_progress,
                                note="Đã rà soát 3/5 bản; Ngân hàng Chính sách xã hội đề nghị bổ sung danh sách.")
    follow_up.update_commitment(road, ubnd, status=CommitmentStatus.in_progress, note="Đã thuê máy xúc.")
    follow_up.update_commitment(road, ubnd, status=CommitmentStatus.resolved,
                                note="Đã khắc phục tạm thời 120 m đường sạt lở; xe máy đi lại được.",
                                evidence=follow_up.Evidence("duong-ban-ca.png", DEMO_PNG))
    follow_up.update_commitment(child_marriage, union, status=CommitmentStatus.in_progress,
                                note="Đã tổ chức 1 buổi truyền thông bằng tiếng Dao tại nhà văn hóa bản.")
    follow_up.update_commitment(health, ubnd, status=CommitmentStatus.in_progress, note="Đang soạn công văn.")
    follow_up.forward_commitment(health, ubnd, ctx["agencies"]["SYT-19"].id,
                                 "Công văn số 45/UBND-VP đề nghị Sở Y tế bố trí khám thai lưu động.")
    follow_up.extend_deadline(cinnamon, ubnd, max(cinnamon.deadline, today) + timedelta(days=30),
                              "Lùi lớp tập huấn sang đầu mùa trồng quế theo Thông báo số 18/TB-UBND của UBND xã.")
