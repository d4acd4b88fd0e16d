"""Translatable labels of the dialogue enums, shared by forms, pages and the minutes. The two status
label sets live beside their enums (the models' state machines need them) and are re-exported here."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from dialogues.models import AnswerOutcome, DialogueLevel, QuestionOrigin, RaiserKind
from dialogues.models.commitments import COMMITMENT_STATUS_LABELS, PETITION_STATUS_LABELS, status_labels
from dialogues.models.dialogues import STATUS_LABELS

__all__ = ["COMMITMENT_STATUS_LABELS", "LEVEL_LABELS", "ORIGIN_LABELS", "OUTCOME_LABELS", "PETITION_STATUS_LABELS",
           "RAISER_LABELS", "STATUS_LABELS", "choices", "commitment_status", "status_labels"]

LEVEL_LABELS = {
    DialogueLevel.commune: _l("Cấp xã"),
    DialogueLevel.village_cluster: _l("Cụm thôn, bản"),
    DialogueLevel.province: _l("Cấp tỉnh"),
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
    AnswerOutcome.forwarded: _l("Chuyển bằng văn bản"),
    AnswerOutcome.noted: _l("Ghi nhận"),
}


def choices(labels: dict, blank: str | None = None) -> list[tuple[str, str]]:
    items = [(member.value, label) for member, label in labels.items()]
    return ([("", blank)] if blank is not None else []) + items

# A written forward reads by where it goes (``forward_label``: DialogueAnswer.is_transfer).
FORWARD_HIGHER = _l("Chuyển cấp trên bằng văn bản")
FORWARD_TRANSFER = _l("Chuyển cơ quan khác bằng văn bản")


def forward_label(answer) -> str:
    """"Chuyển cơ quan khác" for a transfer to an agency of the same level, else "chuyển cấp trên"."""
    return str(FORWARD_TRANSFER if answer.is_transfer else FORWARD_HIGHER)


def commitment_status(commitment, status=None) -> str:
    """The label of ``status`` (by default the commitment's own) in the commitment's wording: a
    forwarded petition reads "Đã nhận văn bản", "Đã trả lời/giải quyết"…, a commitment "Chưa thực
    hiện", "Đã giải quyết"…"""
    status = commitment.status if status is None else status
    return str(status_labels(commitment.is_petition)[status]) if status is not None else ""
