"""Translatable labels of the dialogue enums, shared by forms, pages and the minutes."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from dialogues.models import AnswerOutcome, CommitmentStatus, DialogueLevel, DialogueStatus, QuestionOrigin, RaiserKind

LEVEL_LABELS = {
    DialogueLevel.commune: _l("Cấp xã"),
    DialogueLevel.village_cluster: _l("Cụm thôn, bản"),
    DialogueLevel.province: _l("Cấp tỉnh"),
}
STATUS_LABELS = {
    DialogueStatus.planned: _l("Dự kiến"),
    DialogueStatus.held: _l("Đã tổ chức"),
    DialogueStatus.approved: _l("Biên bản đã duyệt"),
}
ORIGIN_LABELS = {
    QuestionOrigin.collected: _l("Thu thập trước hội nghị"),
    QuestionOrigin.on_day: _l("Nêu tại hội nghị"),
}
RAISER_LABELS = {
    RaiserKind.person: _l("Cá nhân"),
    RaiserKind.group: _l("Nhóm, chi hội"),
    RaiserKind.anonymous: _l("Ẩn danh"),
}
OUTCOME_LABELS = {
    AnswerOutcome.answered: _l("Trả lời tại chỗ"),
    AnswerOutcome.accepted: _l("Tiếp thu, có cam kết"),
    AnswerOutcome.forwarded: _l("Chuyển cấp trên bằng văn bản"),
    AnswerOutcome.noted: _l("Ghi nhận"),
}
COMMITMENT_STATUS_LABELS = {
    CommitmentStatus.open: _l("Chưa thực hiện"),
    CommitmentStatus.in_progress: _l("Đang thực hiện"),
    CommitmentStatus.resolved: _l("Đã giải quyết"),
    CommitmentStatus.partly_resolved: _l("Giải quyết một phần"),
    CommitmentStatus.not_feasible: _l("Không thể thực hiện"),
    CommitmentStatus.forwarded: _l("Đã chuyển cấp trên"),
}


def choices(labels: dict, blank: str | None = None) -> list[tuple[str, str]]:
    items = [(member.value, label) for member, label in labels.items()]
    return ([("", blank)] if blank is not None else []) + items
