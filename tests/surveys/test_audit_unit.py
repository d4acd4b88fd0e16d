"""Audit rows of training records carry the training's unit, not the participant's village."""
import sqlalchemy as sa

from app.models import AuditLog


def test_participant_audit_row_carries_the_training_unit(db, units, create_training):
    training = create_training("02086", people=2)
    participant = training.participants[0]
    assert participant.person.unit_id == units["na_nguoc"].id
    row = db.session.scalar(sa.select(AuditLog).where(AuditLog.object_type == "Participant",
                                                      AuditLog.object_id == participant.id))
    assert row.unit_id == units["02086"].id
