"""Translatable labels of the follow-up screens."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from dialogues.models import CommitmentEventKind

EVENT_LABELS = {
    CommitmentEventKind.status: _l("Cập nhật trạng thái"),
    CommitmentEventKind.forward: _l("Chuyển cơ quan khác"),
    CommitmentEventKind.received: _l("Nhận chuyển đến"),
    CommitmentEventKind.reopen: _l("Mở lại"),
    CommitmentEventKind.extension: _l("Gia hạn"),
    CommitmentEventKind.note: _l("Ghi chú"),
    CommitmentEventKind.attachment: _l("Tệp minh chứng"),
}

# Figures of followup_indicators(), in the order the page shows them.
INDICATOR_LABELS = {
    "questions_raised": _l("Ý kiến, kiến nghị được nêu"),
    "answered_on_spot": _l("Được trả lời tại chỗ"),
    "forwarded_at_dialogue": _l("Chuyển cấp trên tại hội nghị"),
    "committed": _l("Nội dung cam kết"),
    "forwarded_copies": _l("Cam kết do cơ quan khác chuyển đến"),
    "open": _l("Chưa thực hiện"),
    "in_progress": _l("Đang thực hiện"),
    "resolved": _l("Đã giải quyết"),
    "partly_resolved": _l("Giải quyết một phần"),
    "not_feasible": _l("Không thể thực hiện"),
    "forwarded": _l("Đã chuyển cơ quan khác"),
    "overdue": _l("Quá hạn (tính đến hôm nay)"),
    "resolved_on_time": _l("Giải quyết đúng hạn (theo thời hạn hiện hành)"),
    "resolved_by_original_deadline": _l("Giải quyết trong thời hạn cam kết ban đầu"),
    "median_days_to_resolve": _l("Số ngày giải quyết (trung vị, từ ngày đối thoại)"),
}
SHARE_LABELS = {
    "share_answered_on_spot": _l("Tỷ lệ trả lời tại chỗ"),
    "share_resolved": _l("Tỷ lệ đã giải quyết"),
    "share_resolved_on_time": _l("Tỷ lệ giải quyết đúng hạn (trong số đã giải quyết)"),
    "share_resolved_by_original_deadline": _l("Tỷ lệ giải quyết trong thời hạn cam kết ban đầu (trong số đã giải "
                                              "quyết)"),
}
