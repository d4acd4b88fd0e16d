"""Models of the dialogues feature (one module per aggregate)."""
from dialogues.models.commitments import Commitment, CommitmentStatus
from dialogues.models.dialogues import (AttendanceGroup, Dialogue, DialogueAttendee, DialogueLeader, DialogueLevel,
                                        DialogueStatus, DialogueStatusChange, InvalidTransition, LockedError)
from dialogues.models.minutes import Addendum, MinutesCounter, MinutesIssue, OrgHeader
from dialogues.models.questions import (AnswerOutcome, DialogueAnswer, DialogueQuestion, QuestionCategory,
                                        QuestionOrigin, RaiserKind)
from dialogues.models import lock  # noqa: F401  (registers the flush guard)

__all__ = [
    "Addendum", "DialogueAnswer", "AnswerOutcome", "AttendanceGroup", "Commitment", "CommitmentStatus", "Dialogue",
    "DialogueAttendee", "DialogueLeader", "DialogueLevel", "DialogueStatus", "DialogueStatusChange",
    "InvalidTransition", "LockedError", "MinutesCounter", "MinutesIssue", "OrgHeader", "DialogueQuestion",
    "QuestionCategory", "QuestionOrigin", "RaiserKind",
]
