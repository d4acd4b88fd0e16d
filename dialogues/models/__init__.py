"""Models of the dialogues feature (one module per aggregate)."""
from dialogues.models.commitments import (AttachmentWithdrawal, Commitment, CommitmentAttachment, CommitmentEvent, CommitmentEventKind,
                                          CommitmentStatus, PermanentRecordError)
from dialogues.models.dialogues import (GROUP_KINDS, AttendanceGroup, Dialogue, DialogueAttendee, DialogueLeader, DialogueLevel,
                                        DialogueStatus, DialogueStatusChange, InvalidTransition, LockedError)
from dialogues.models.minutes import Addendum, MinutesCounter, MinutesIssue
from dialogues.models.questions import (AnswerOutcome, DialogueAnswer, DialogueQuestion, QuestionCategory,
                                        QuestionOrigin, RaiserKind)
from dialogues.models.reminders import OutboxMessage, ReminderLog
from dialogues.models import lock  # noqa: F401  (registers the flush guard)

__all__ = [
    "GROUP_KINDS", "Addendum", "AttachmentWithdrawal", "AnswerOutcome", "AttendanceGroup", "Commitment", "CommitmentAttachment", "CommitmentEvent",
    "CommitmentEventKind", "CommitmentStatus", "Dialogue", "DialogueAnswer", "DialogueAttendee", "DialogueLeader",
    "DialogueLevel", "DialogueQuestion", "DialogueStatus", "DialogueStatusChange", "InvalidTransition", "LockedError",
    "MinutesCounter", "MinutesIssue", "OutboxMessage", "PermanentRecordError", "QuestionCategory",
    "QuestionOrigin", "RaiserKind", "ReminderLog",
]
