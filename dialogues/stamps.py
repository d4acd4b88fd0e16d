"""What a dialogue's documents read, for their job keys (``app.jobs.document_key``): the minutes
and the report on the previous dialogue's commitments change with the records of the dialogue's
unit only, not with a login or another commune's write."""
from __future__ import annotations

import sqlalchemy as sa

from app import jobs
from app.models import Person
from dialogues.models import (AttachmentWithdrawal, Commitment, CommitmentAttachment, CommitmentEvent, Dialogue,
                              DialogueAttendee, DialogueLeader, DialogueQuestion, DialogueStatusChange)


def dialogue_stamp(dialogue_id: int, **_view_args) -> list:
    """The records of the dialogue's unit (the previous-results report reads its earlier dialogues):
    every audited change there (the dialogues, their leaders, attendees, questions, answers,
    commitments, minutes and headers: app.audit places them in the dialogue's unit) and in the
    units of its venue and of its people; the names of the units above (the header); the agencies and categories they name; and the rows the
    audit log does not follow (status changes, commitment events, attachments and withdrawals)."""
    unit = sa.select(Dialogue.unit_id).where(Dialogue.id == dialogue_id).scalar_subquery()
    dialogues = sa.select(Dialogue.id).where(Dialogue.unit_id == unit)
    questions = sa.select(DialogueQuestion.id).where(DialogueQuestion.dialogue_id.in_(dialogues))
    commitments = sa.select(Commitment.id).where(Commitment.question_id.in_(questions))
    attachments = sa.select(CommitmentAttachment.id).where(CommitmentAttachment.commitment_id.in_(commitments))
    people = sa.union(sa.select(DialogueAttendee.person_id).where(DialogueAttendee.dialogue_id == dialogue_id),
                      sa.select(DialogueQuestion.person_id).where(DialogueQuestion.dialogue_id == dialogue_id))
    units = sa.union(sa.select(unit), sa.select(Dialogue.venue_unit_id).where(Dialogue.id == dialogue_id),
                     sa.select(Person.unit_id).where(Person.id.in_(people)))
    agencies = sa.union(sa.select(Commitment.agency_id).where(Commitment.id.in_(commitments)),
                        sa.select(DialogueQuestion.agency_id).where(DialogueQuestion.id.in_(questions)),
                        sa.select(DialogueLeader.agency_id).where(DialogueLeader.dialogue_id == dialogue_id))
    return [jobs.unit_changes(units), jobs.names_above(unit), jobs.object_changes("Agency", agencies),
            jobs.object_changes("QuestionCategory", sa.select(DialogueQuestion.category_id)
                                .where(DialogueQuestion.id.in_(questions))),
            jobs.row_changes(DialogueStatusChange, DialogueStatusChange.dialogue_id.in_(dialogues)),
            jobs.row_changes(CommitmentEvent, CommitmentEvent.commitment_id.in_(commitments)),
            jobs.row_changes(CommitmentAttachment, CommitmentAttachment.id.in_(attachments)),
            jobs.row_changes(AttachmentWithdrawal, AttachmentWithdrawal.attachment_id.in_(attachments))]
