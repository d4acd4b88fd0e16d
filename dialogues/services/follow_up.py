"""Writes of commitment follow-up: status updates with a note and evidence, forwarding,
reopening and deadline extensions.

The rules live on the model (``Commitment.move_to``, ``forward``...); these functions resolve
ids, check the evidence file, make a resubmitted form harmless (its hidden token finds the event
it already made), validate everything before the first change, then flush.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from app.extensions import db
from app.models import User
from app.services import ServiceError, scoped_token
from dialogues.services.evidence import CheckedFile, check_upload
from dialogues.models import Commitment, CommitmentAttachment, CommitmentEvent, CommitmentStatus
from dialogues.services._checks import agency_for, clean_text
from dialogues.storage import file_store, read_stored

EVIDENCE_NAMESPACE = "evidence"
MAX_NOTE = 5000


@dataclass
class Evidence:
    """An uploaded file as received: the name the browser sent and the bytes."""

    filename: str
    data: bytes


def _token(token: str | None, actor: User | None) -> str | None:
    return scoped_token(token, actor)


def _already_done(token: str | None) -> CommitmentEvent | None:
    return db.session.scalar(sa.select(CommitmentEvent).where(CommitmentEvent.token == token)) if token else None


def _checked_evidence(commitment: Commitment, evidence: Evidence | None) -> CheckedFile | None:
    if evidence is None or (not evidence.filename and not evidence.data):
        return None
    checked = check_upload(evidence.filename, evidence.data, current_app.config["EVIDENCE_MAX_BYTES"])
    digest = hashlib.sha256(checked.data).hexdigest()
    duplicate = db.session.scalar(sa.select(CommitmentAttachment.filename).where(
        CommitmentAttachment.commitment_id == commitment.id, CommitmentAttachment.sha256 == digest))
    if duplicate is not None:
        raise ServiceError(_("Tệp này đã được đính kèm cam kết (tên “%(name)s”).", name=duplicate), "file")
    return checked


def _store(checked: CheckedFile, actor: User | None) -> CommitmentAttachment:
    key, digest = file_store().put(checked.data, EVIDENCE_NAMESPACE, checked.suffix)
    return CommitmentAttachment(filename=checked.filename, file_type=checked.file_type.code,
                                content_type=checked.file_type.content_type, size_bytes=len(checked.data),
                                sha256=digest, storage_key=key, uploaded_by=actor)


def update_commitment(commitment: Commitment, actor: User | None, *, status: CommitmentStatus | None = None,
                      note: str = "", evidence: Evidence | None = None, token: str | None = None) -> CommitmentEvent:
    """The workspace update: a new status, a note, an evidence file, or any of them together.
    Returns the main event (the status change if any)."""
    token = _token(token, actor)
    if (done := _already_done(token)) is not None:
        return done
    note = clean_text(note, MAX_NOTE, "note", _("ghi chú"))
    checked = _checked_evidence(commitment, evidence)
    if status is None and not note and checked is None:
        raise ServiceError(_("Hãy chọn trạng thái mới, ghi nội dung cập nhật hoặc đính kèm tệp minh chứng."), "status")
    commitment.ensure_trackable()
    main = None
    if status is not None:
        main = commitment.move_to(status, actor, note, token)
    elif checked is None:
        main = commitment.add_note(note, actor, token)
    if checked is not None:
        attached = commitment.attach(_store(checked, actor), actor, "" if main else note, None if main else token)
        main = main or attached
    db.session.flush()
    return main


def withdraw_evidence(commitment: Commitment, attachment: CommitmentAttachment, actor: User | None, reason: str,
                      token: str | None = None) -> CommitmentEvent:
    """Withdraw an evidence file attached by mistake: it stays stored and listed, marked withdrawn."""
    token = _token(token, actor)
    if (done := _already_done(token)) is not None:
        return done
    commitment.ensure_trackable()
    event = commitment.withdraw_attachment(attachment, actor, clean_text(reason, 500, "reason", _("lý do")), token)
    db.session.flush()
    return event


def forward_commitment(commitment: Commitment, actor: User | None, agency_id: int | None, note: str = "",
                       deadline: date | None = None, token: str | None = None) -> Commitment:
    """Forward to another agency; returns the linked commitment it now owns."""
    token = _token(token, actor)
    if (done := _already_done(token)) is not None:
        return done.linked_commitment
    note = clean_text(note, MAX_NOTE, "note", _("ghi chú"))
    agency = agency_for(agency_id, commitment.question.dialogue.unit, "agency_id") if agency_id is not None else None
    copy = commitment.forward(agency, actor, note, deadline, token)
    db.session.flush()
    return copy


def reopen_commitment(commitment: Commitment, actor: User | None, reason: str,
                      token: str | None = None) -> CommitmentEvent:
    token = _token(token, actor)
    if (done := _already_done(token)) is not None:
        return done
    event = commitment.reopen(actor, clean_text(reason, MAX_NOTE, "reason", _("lý do")), token)
    db.session.flush()
    return event


def extend_deadline(commitment: Commitment, actor: User | None, new_deadline: date | None, reason: str,
                    token: str | None = None) -> CommitmentEvent:
    token = _token(token, actor)
    if (done := _already_done(token)) is not None:
        return done
    event = commitment.extend_deadline(new_deadline, actor, clean_text(reason, MAX_NOTE, "reason", _("lý do")),
                                       token)
    db.session.flush()
    return event


def record_letter(commitment: Commitment, actor: User | None, number: str, letter_date: date | None,
                  deadline: date | None = None, note: str = "", token: str | None = None) -> CommitmentEvent:
    """A petition's forwarding letter (number, date, reply deadline) entered after approval."""
    token = _token(token, actor)
    if (done := _already_done(token)) is not None:
        return done
    event = commitment.record_letter(number, letter_date, deadline, actor, clean_text(note, MAX_NOTE, "note",
                                                                                      _("ghi chú")), token)
    db.session.flush()
    return event


def read_evidence(attachment: CommitmentAttachment) -> bytes:
    return read_stored(attachment)
