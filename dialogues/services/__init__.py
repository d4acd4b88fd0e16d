"""Writes of the dialogues feature. Each service validates everything first, raises
ServiceError with a translated message naming the field, then flushes (never commits)."""
from dialogues.services.categories import ensure_default_categories, save_category
from dialogues.services.dialogues import (DialogueData, GroupData, LeaderData, add_attendees, create_dialogue,
                                          mark_held, remove_attendee, update_dialogue)
from dialogues.services.minutes import (RecordSummary, add_addendum, approval_problems, approve_minutes, contradictions,
                                        issue_minutes, read_issue, record_summary, save_header, verification_by_hash,
                                        verify_copy)
from dialogues.services.questions import CommitmentRow, QuestionRow, add_question, save_question_rows

__all__ = [
    "CommitmentRow", "DialogueData", "GroupData", "LeaderData", "QuestionRow", "RecordSummary", "add_addendum", "add_attendees",
    "add_question", "approval_problems", "approve_minutes", "contradictions", "create_dialogue",
    "ensure_default_categories", "issue_minutes", "mark_held", "read_issue", "record_summary", "remove_attendee",
    "save_category", "save_header", "save_question_rows", "update_dialogue", "verification_by_hash", "verify_copy",
]
