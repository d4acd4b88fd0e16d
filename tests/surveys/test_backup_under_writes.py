"""A backup taken while phones send answers restores: export-all reads every table in one snapshot
(SQLite too), so no answer of the export lacks its response and import-all succeeds.

A writer thread keeps submitting phone forms during the export; in addition, one submission is made
exactly between the reads of the response and answer tables (the order the old export broke).
"""
from __future__ import annotations

import json
import threading
from types import SimpleNamespace

import sqlalchemy as sa

from app.extensions import db as _db
from surveys.models import Answer, Phase, Response
from test_surveys_phone import ANSWERS
from tests.app.test_backup import invoke_on, target_app  # noqa: F401  (fixture)


def test_export_under_concurrent_phone_writes_restores(app, db, runner, create_training, phone, target_app,
                                                       tmp_path):
    training = create_training(people=80, open_phases=[Phase.pre, Phase.post])
    # Plain values: the threads have no app context to load ORM attributes with.
    people = [SimpleNamespace(id=p.person.id, code=p.person.code) for p in training.participants]
    queue = [(phase, person) for phase in (Phase.pre, Phase.post) for person in people]
    forms = {phase: phone(training, phase) for phase in Phase}
    db.session.commit()
    statuses: list[int] = []
    taking = threading.Lock()

    def submit_next():
        with taking:
            if not queue:
                return
            phase, person = queue.pop()
        statuses.append(forms[phase].submit(person, ANSWERS).status_code)

    stop = threading.Event()

    def writer():
        while queue and not stop.is_set():
            submit_next()

    for _ in range(10):  # some responses exist before the export starts
        submit_next()
    between = threading.Event()

    def between_responses_and_answers(_conn, _cursor, statement, *_args):
        if threading.current_thread() is threading.main_thread() and "FROM survey_answers" in statement \
                and not between.is_set():
            between.set()
            side = threading.Thread(target=submit_next)  # committed while the export runs
            side.start()
            side.join()

    background = threading.Thread(target=writer)
    sa.event.listen(db.engine, "before_cursor_execute", between_responses_and_answers)
    try:
        background.start()
        result = runner.invoke(args=["export-all", str(tmp_path / "export")])
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", between_responses_and_answers)
        stop.set()
        background.join()
    assert result.exit_code == 0, result.output
    assert between.is_set()
    assert statuses and set(statuses) == {200}

    manifest = json.loads((tmp_path / "export" / "manifest.json").read_text(encoding="utf-8"))
    exported = {json.loads(line)["response_id"]
                for line in (tmp_path / "export" / "survey_answers.jsonl").read_text(encoding="utf-8").splitlines()}
    responses = {json.loads(line)["id"]
                 for line in (tmp_path / "export" / "survey_responses.jsonl").read_text(encoding="utf-8").splitlines()}
    assert exported <= responses  # every exported answer's response is in the export
    assert manifest["row_counts"]["survey_responses"] >= 10
    # More was written than the export holds: the snapshot really was taken under writes.
    assert db.session.scalar(sa.select(sa.func.count(Response.id))) > manifest["row_counts"]["survey_responses"]

    restored = invoke_on(target_app, "import-all", str(tmp_path / "export"))
    assert restored.exit_code == 0, restored.output
    with target_app.app_context():
        assert _db.session.scalar(sa.select(sa.func.count(Response.id))) == manifest["row_counts"]["survey_responses"]
        assert _db.session.scalar(sa.select(sa.func.count(Answer.id))) == manifest["row_counts"]["survey_answers"]
        orphans = _db.session.scalar(sa.select(sa.func.count(Answer.id)).outerjoin(
            Response, Response.id == Answer.response_id).where(Response.id.is_(None)))
        assert orphans == 0
