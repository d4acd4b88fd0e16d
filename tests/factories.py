"""Factories shared by every test folder, as plain functions (the fixtures in tests/conftest.py wrap
them): records built through the feature services, the paths real records take."""
from __future__ import annotations

from datetime import time, timedelta

from app import clock
from app.extensions import db


def dialogue_data(unit, **overrides):
    """A valid ``DialogueData`` for a commune dialogue of ``unit`` held a week ago; any field overridden."""
    from dialogues.models import DialogueLevel
    from dialogues.services import DialogueData

    values = dict(
        title="Hội nghị đối thoại giữa người đứng đầu cấp ủy, chính quyền xã với hội viên, phụ nữ",
        level=DialogueLevel.commune, unit_id=unit.id, held_on=clock.today() - timedelta(days=7),
        start_time=time(8, 0), end_time=time(11, 0), venue="Hội trường UBND xã", organiser="Hội LHPN xã",
        chair_name="Hoàng Văn Thắng", chair_position="Chủ tịch UBND xã",
        secretary_name="Triệu Thị Mai", secretary_position="Phó Chủ tịch Hội LHPN xã",
        attendance_total=50, attendance_women=42, attendance_minority=45)
    values.update(overrides)
    return DialogueData(**values)


def build_dialogue(unit, *, status: str = "planned", rows=(), actor=None, **data):
    """A dialogue of ``unit`` through the services: created from ``dialogue_data(unit, **data)``, its
    question ``rows`` (``QuestionRow``s, or a callable taking the new dialogue and returning them)
    saved, then held ("held") and its minutes approved ("approved"). Committed."""
    from dialogues import services
    from dialogues.models import DialogueStatus

    values = dialogue_data(unit, **data)
    if status == "planned" and values.held_on <= clock.today():
        # A planned dialogue whose day has come: it was planned before that day (made today, a past
        # date would make it held at once).
        real_today = clock.today
        clock.today = lambda: values.held_on - timedelta(days=1)
        try:
            dialogue = services.create_dialogue(values, actor)
        finally:
            clock.today = real_today
    else:
        dialogue = services.create_dialogue(values, actor)
    rows = rows(dialogue) if callable(rows) else list(rows)
    if rows:
        services.save_question_rows(dialogue, rows, actor)
    if status in ("held", "approved") and dialogue.status is DialogueStatus.planned:
        services.mark_held(dialogue, actor)
    if status == "approved":
        services.approve_minutes(dialogue, actor)
    db.session.commit()
    return dialogue


def fake_minutes_pdf(dialogue, *, version=None, verify_code=None) -> bytes:
    """Stands in for the minutes' real rendering where only the PDF's existence matters."""
    return f"%PDF-1.7 minutes {dialogue.id} v{version} {verify_code}".encode()


def real_pdf(text: str = "Bao cao") -> bytes:
    """A minimal PDF that parses: objects, a catalogue, an xref table and a startxref that points at it."""
    stream = f"BT /F1 12 Tf 20 20 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# --- the job queue ---------------------------------------------------------------------------

def work(queue) -> int:
    """Run every queued task as ``flask jobs worker`` would; how many ran."""
    ran = 0
    while (task := queue.dequeue()) is not None:
        queue.execute(task)
        ran += 1
    return ran
