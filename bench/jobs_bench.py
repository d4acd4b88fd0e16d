"""The paper questionnaire of a 300-person class with a 40-question test, made by the job worker's
code (app.jobs: claim, render in parts with progress, store the file): it completes, where the
same document inside a web request outlasted gunicorn's 60 s timeout and the trainer got a 500.

The row compares the time with that timeout (the ratio shows how far past it the work goes); its
target is that the job ends ``done`` with one sheet per person, whatever the time.
"""
from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from bench import WALL, print_table, row

PEOPLE, QUESTIONS, GUNICORN_TIMEOUT_S = 300, 40, 60


def run() -> list[dict]:
    from bench import phone_bench

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        phone_bench.QUESTIONS = QUESTIONS
        _pre, _post, training_id, _people, _keys = phone_bench._seed(url, PEOPLE)
        from app import create_app, jobs
        from app.extensions import db
        from app.models import User

        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "STORAGE_DIR": str(Path(tmp) / "s"),
                          "SERVER_NAME": "caunoi.example.vn", "PREFERRED_URL_SCHEME": "https"})
        with app.app_context():
            jobs.use(jobs.make_queue(None, str(Path(tmp) / "jobs.sqlite3")))
            user = db.session.scalar(db.select(User).where(User.username == "bench"))
            from surveys.models import Phase, Training
            from surveys import qr

            state = db.session.get(Training, training_id).phase(Phase.pre)
            with app.test_request_context():
                form_url = qr.public_url(state)
            job = jobs.submit("paper_questionnaire", {"training_id": training_id, "phase": "pre",
                                                      "form_url": form_url}, jobs.new_key(), user)
            db.session.info.pop("jobs_to_queue", None)  # run here, as the worker would, not via the queue
            db.session.commit()
            job_id = job.id
            db.session.remove()
        start = WALL()
        jobs._run_job(app, job_id)
        seconds = WALL() - start
        with app.app_context():
            job = db.session.get(jobs.Job, job_id)
            state, stored = job.state, Path(app.config["STORAGE_DIR"]) / (job.stored_as or "missing")
            info = subprocess.run(["pdfinfo", str(stored)], capture_output=True, text=True).stdout if stored.is_file() else ""
            pages = int(next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")), 0))
            db.engine.dispose()
    result = row(f"paper questionnaire {PEOPLE} people × {QUESTIONS} questions in the job worker "
                 f"({pages} pages, {state}) vs gunicorn's timeout", seconds, GUNICORN_TIMEOUT_S, unit="s",
                 min_ratio=0)
    return [result | {"target": f"done, ≥ {PEOPLE} pages", "ok": state == "done" and pages >= PEOPLE}]


if __name__ == "__main__":
    print_table(run())
