"""Slow exports write their export-log row after the render, in the request's commit: on SQLite the
INSERT takes the one write lock, which the old order held for the whole render (phones were told
"database is locked" meanwhile). While each document renders, the request has written nothing and
(SQLite) another connection takes the write lock at once; afterwards the row is there."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db as _db
from app.models import ExportLog, Role


def assert_nothing_written_yet(app):
    assert _db.session.scalar(sa.select(sa.func.count(ExportLog.id))) == 0  # autoflush would show it
    if _db.engine.dialect.name == "sqlite":
        with _db.engine.connect() as other:
            other.exec_driver_sql("PRAGMA busy_timeout=0")
            other.exec_driver_sql("BEGIN IMMEDIATE")  # raises "database is locked" if the lock is held
            other.exec_driver_sql("ROLLBACK")


@pytest.mark.parametrize("module, name, url, kind", [
    ("surveys.views.collect", "render_pdf", "/surveys/trainings/{id}/pre/paper.pdf", "training_paper_pdf"),
    ("surveys.services.workbook", "write_workbook", "/surveys/trainings/{id}/workbook.xlsx",
     "training_xlsx"),
    ("app.indicators.exports", "report_pdf", "/indicators/report.pdf", "indicators_pdf"),
    ("app.indicators.exports", "dashboard_workbook", "/indicators/export.xlsx", "indicators_xlsx"),
], ids=["paper questionnaire", "workbook", "indicators PDF", "indicators workbook"])
def test_export_log_is_written_after_the_render(app, db, client, login_as, create_training, monkeypatch,
                                                module, name, url, kind):
    import importlib

    training = create_training(people=3)
    training_id = training.id
    login_as(Role.province, "19")
    target = importlib.import_module(module)
    real = getattr(target, name)
    rendered = []

    def render_and_check(*args, **kwargs):
        assert_nothing_written_yet(app)
        rendered.append(name)
        return real(*args, **kwargs)

    monkeypatch.setattr(target, name, render_and_check)
    response = client.get(url.format(id=training_id))
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert rendered == [name]
    db.session.expire_all()
    assert db.session.scalars(sa.select(ExportLog.kind)).all() == [kind]
