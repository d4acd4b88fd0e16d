"""Phone form throughput under gunicorn (2 workers), against a bare Flask app doing the same
database work with plain SQL (GET: the phase, training, roster and items; POST: one response and
its answers), also under gunicorn with 2 workers, on the same database, in the same run.

Load comes from this process: ``http.client`` on loopback from a pool of threads, in rounds that
alternate between the two servers (both run throughout; the idle one costs nothing). Every POST
uses its own client token and its own roster person (the app stores the pre-test, the baseline the
post-test, so neither hits the other's rows). The
database is a fresh SQLite file, or the PostgreSQL in ``BENCH_DATABASE_URL`` (its tables are
dropped and rebuilt: give it a throwaway database).
"""
from __future__ import annotations

import http.client
import os
import secrets
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

from bench import print_table, row

APP_PORT, BASELINE_PORT = 5111, 5112
ROUNDS, GETS, POSTS, THREADS, QUESTIONS = 6, 300, 100, 8, 10  # POSTS per round: one person each
MIN_VS_BARE_FLASK = 0.5
ROOT = Path(__file__).resolve().parent.parent


def _seed(url: str, people: int) -> tuple[str, str, int, list[int], list[str]]:
    """Schema (migrations), a training with ``people`` consenting participants and both phases open."""
    from flask_migrate import upgrade

    from app import create_app, services as core
    from app.extensions import db
    from app.models import Role, Sex, Unit, UnitLevel
    from surveys import services
    from surveys.models import Phase, QuestionKind

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        if url.startswith("postgresql"):
            db.drop_all()
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        upgrade()
        vn = Unit(code="VN", name="Việt Nam", level=UnitLevel.country, path="/VN/")
        province = Unit(code="19", name="Thái Nguyên", level=UnitLevel.province, parent=vn, path="/VN/19/")
        commune = Unit(code="02086", name="Xã Chợ Mới", level=UnitLevel.commune, parent=province,
                       path="/VN/19/02086/")
        db.session.add_all([vn, province, commune])
        db.session.flush()
        village = core.create_unit(commune, "Nà Nguộc", "bản")
        core.create_user("bench", "bench-pass-1", Role.trainer, commune)
        topic = services.save_topic(None, "Phòng, chống bạo lực gia đình")
        contents = [services.clean_content(text=f"Câu hỏi số {i + 1}?", kind=QuestionKind.single,
                                           options=["Có", "Không", "Tùy trường hợp"], correct=[1 + i % 3],
                                           has_dont_know=False) for i in range(QUESTIONS)]
        instrument = services.create_instrument(title="Bài kiểm tra", topic=topic, unit=province, user=None,
                                                contents=contents)
        training = services.save_training(None, title="Tập huấn", topic=topic, unit=commune,
                                          instrument=instrument, start_date=date(2025, 9, 20))
        person_ids = []
        for i in range(people):
            person = core.save_person(None, full_name=f"Học viên {i + 1:04d}", unit=village, sex=Sex.female,
                                      birth_year=1960 + i % 45, ethnicity_code="07")
            services.add_participant(training, person)
            core.give_consent(person, services.CONSENT_PURPOSE)
            person_ids.append(person.id)
        pre = services.set_phase_open(training, Phase.pre, True)
        post = services.set_phase_open(training, Phase.post, True)
        keys = [it.key for it in training.version.items]
        tokens = (pre.public_token, post.public_token)
        training_id = training.id
        db.session.commit()
        db.engine.dispose()
    return tokens[0], tokens[1], training_id, person_ids, keys


def more_classes(url: str, training_id: int, n: int) -> list[int]:
    """``n`` more classes of the same test, each with the first class's roster: the load and
    memory benches ask each class's documents (one class asked twenty times is one job: the same
    document, which ``jobs.document_key`` finds again)."""
    from app import create_app
    from app.extensions import db
    from surveys import services
    from surveys.models import Training

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        first = db.session.get(Training, training_id)
        ids = []
        for i in range(n):
            training = services.save_training(None, title=f"Tập huấn {i + 2}", topic=first.topic, unit=first.unit,
                                              instrument=first.version.instrument, start_date=first.start_date)
            for participant in first.participants:
                services.add_participant(training, participant.person)
            db.session.flush()
            ids.append(training.id)
        db.session.commit()
        db.engine.dispose()
    return ids


def _person_id(key: str | None) -> int | None:
    """The person id of her link's ``p`` value (``<id>-<signature>``); the bare baseline does not
    check the signature (the app does: an HMAC of a few bytes)."""
    head = (key or "").split("-", 1)[0]
    return int(head) if head.isdigit() else None


def respondent_keys(secret: str, token: str, person_ids: list[int]) -> dict[int, str]:
    """person id -> the ``p`` value of her own link to the phase of ``token`` (signed with the
    servers' ``secret``, as ``surveys.access.respondent_key``): the phone form takes no bare person
    id, so a request with ``person=<id>`` gets the shared link's code box (or a 404 for a POST)."""
    from flask import Flask

    from surveys.access import _signature

    app = Flask(__name__)
    app.config["SECRET_KEY"] = secret
    with app.app_context():
        return {pid: f"{pid}-{_signature(token, pid)}" for pid in person_ids}


def baseline_app():
    """A bare Flask app doing the phone form's database work with plain SQL (gunicorn factory).

    The same statements as the app, one for one: GET finds the open phase with its training and
    test, the chosen participant on the roster, whether she already answered, the questions and
    her consent; POST reads the same, then takes SQLite's write lock (where the app's
    save_response takes it), checks the client token, the roster, an earlier response and the
    consent, then stores the response, its answers and the audit row in a savepoint. It renders a plain string
    instead of a template and skips sessions, locale, CSRF and the security headers."""
    import sqlalchemy as sa
    from flask import Flask, abort, request

    engine = sa.create_engine(os.environ["BENCH_BASELINE_DB"])
    sqlite = engine.dialect.name == "sqlite"
    bare = Flask("bare")

    def load(conn, token):
        phase = conn.execute(sa.text(
            "SELECT p.id, p.training_id, p.phase, p.state, t.title, t.version_id, t.one_question_per_screen, "
            "i.shuffle_options FROM survey_training_phases p JOIN survey_trainings t ON t.id = p.training_id "
            "JOIN survey_instrument_versions v ON v.id = t.version_id JOIN survey_instruments i ON i.id = v.instrument_id "
            "WHERE p.public_token = :t"), {"t": token}).first()
        if phase is None or phase.state != "open":
            abort(404)
        person = conn.execute(sa.text(
            "SELECT p.id, p.full_name, p.code FROM people p JOIN survey_participants sp ON sp.person_id = p.id "
            "WHERE sp.training_id = :i AND p.id = :p AND p.erased_dt IS NULL"),
            {"i": phase.training_id, "p": _person_id(request.values.get("p"))}).first()
        if person is None:
            abort(404)
        return phase, person

    def items_of(conn, phase):
        return conn.execute(sa.text("SELECT id, position, text, kind, options FROM survey_items "
                                    "WHERE version_id = :v ORDER BY position").columns(options=sa.JSON),
                            {"v": phase.version_id}).all()

    def answered(conn, phase, person):
        return conn.execute(sa.text("SELECT id FROM survey_responses WHERE training_id = :t AND phase = :ph "
                                    "AND person_id = :p"), {"t": phase.training_id, "ph": phase.phase,
                                                            "p": person.id}).first()

    def consented(conn, person):
        return conn.execute(sa.text("SELECT id FROM consents WHERE person_id = :p AND purpose = 'caunoi' "
                                    "AND withdrawn_dt IS NULL"), {"p": person.id}).first()

    @bare.get("/t/<token>")
    def show(token):
        with engine.connect() as conn:
            phase, person = load(conn, token)
            if answered(conn, phase, person):
                return "<!doctype html><p>Đã trả lời.</p>"
            items = items_of(conn, phase)
            consent = consented(conn, person)
        return (f"<!doctype html><title>{phase.title}</title><form method=post><p>{person.full_name}</p>"
                + "".join(f"<p>{it.text}</p>" + "".join(f"<label><input type=radio name=Q{it.position} value={n}>{o}"
                                                         f"</label>" for n, o in enumerate(it.options, 1))
                          for it in items)
                + ("" if consent else "<input type=checkbox name=consent value=yes>") + "<button>Gửi</button></form>")

    @bare.post("/t/<token>")
    def submit(token):
        with engine.begin() as conn:
            phase, person = load(conn, token)
            items = items_of(conn, phase)
            client_token = request.form.get("client_token", "")[:64]
            if sqlite:  # the write lock for the checks and inserts, as the app takes it (app.locking)
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            if conn.execute(sa.text("SELECT id FROM survey_responses WHERE client_token = :c"),
                            {"c": client_token}).first():
                return "<!doctype html><p>Cảm ơn.</p>"
            on_roster = conn.execute(sa.text("SELECT 1 FROM survey_participants WHERE training_id = :t "
                                             "AND person_id = :p"), {"t": phase.training_id, "p": person.id}).first()
            if not on_roster or answered(conn, phase, person) or not consented(conn, person):
                abort(409)
            with conn.begin_nested():
                response_id = conn.execute(sa.text(
                    "INSERT INTO survey_responses (training_id, phase, person_id, version_id, source, client_token, "
                    "score, max_score, submitted_dt) VALUES (:t, :ph, :p, :v, 'phone', :c, 0, :m, CURRENT_TIMESTAMP) "
                    "RETURNING id"), {"t": phase.training_id, "ph": phase.phase, "p": person.id,
                                      "v": phase.version_id, "c": client_token, "m": len(items)}).scalar_one()
                conn.execute(sa.text(
                    "INSERT INTO audit_logs (created_dt, source, action, object_type, object_id, after) "
                    "VALUES (CURRENT_TIMESTAMP, 'web', 'create', 'Response', :r, :a)")
                    .bindparams(sa.bindparam("a", type_=sa.JSON)),
                    {"r": response_id, "a": {"person_id": person.id, "client_token": client_token}})
                conn.execute(sa.text("INSERT INTO survey_answers (response_id, item_id, choice, points, is_dont_know) "
                                     "VALUES (:r, :i, :c, 0, false)"),
                             [{"r": response_id, "i": it.id, "c": request.form.get(f"Q{it.position}", "")[:100]}
                              for it in items])
        return "<!doctype html><p>Cảm ơn.</p>"

    return bare


def _gunicorn(target: str, port: int, env: dict, workers: int = 2) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen([str(gunicorn), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
                             "--log-level", "warning", target], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 90  # a loaded machine imports slowly
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn {target} exited: {proc.stderr.read().decode()[-500:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/nowhere")
            conn.getresponse().read()
            conn.close()
            return proc
        except OSError:
            time.sleep(0.2)
    _stop(proc)
    raise RuntimeError(f"gunicorn {target} did not start on port {port}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _request(port: int, method: str, path: str, body: dict | None = None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        data = urlencode(body) if body is not None else None
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if body is not None else {}
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def _timed(port: int, calls: list[tuple[str, str, dict | None]]) -> float:
    """Seconds to send ``calls`` from THREADS threads; every one must answer 200."""
    start = time.perf_counter()
    with ThreadPoolExecutor(THREADS) as pool:
        statuses = list(pool.map(lambda c: _request(port, *c), calls))
    elapsed = time.perf_counter() - start
    bad = [s for s in statuses if s != 200]
    if bad:
        raise RuntimeError(f"{len(bad)} of {len(calls)} requests failed on port {port} (e.g. {bad[0]})")
    return elapsed


def _stored_per_phase(url: str) -> dict[str, int]:
    """Responses in the database by phase: each POST must have stored exactly one."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return dict(conn.execute(sa.text("SELECT phase, count(*) FROM survey_responses GROUP BY phase")).all())
    finally:
        engine.dispose()


def run() -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        pre, post, _training_id, person_ids, keys = _seed(url, ROUNDS * POSTS)
        env = {**os.environ, "DATABASE_URL": url, "BENCH_BASELINE_DB": url, "SECRET_KEY": "bench-" + secrets.token_hex(8),
               "INSTANCE_PATH": tmp, "STORAGE_DIR": str(Path(tmp) / "storage"), "APP_ENV": "development",
               # one address sends every post: the per-address limit (300 a minute) would refuse
               # the throughput measured here (0: no limit; the bare baseline has none either)
               "PHONE_POSTS_PER_MINUTE_LINK": "0", "PHONE_POSTS_PER_MINUTE_ADDRESS": "0"}
        answers = {key: "1" for key in keys}
        # each respondent through her own signed link (the form takes no bare person id)
        own = {token: respondent_keys(env["SECRET_KEY"], token, person_ids) for token in (pre, post)}
        # The app stores the pre-test, the baseline the post-test: neither meets the other's rows.
        servers = {"app": (APP_PORT, pre, "wsgi:app"), "bare": (BASELINE_PORT, post, "bench.phone_bench:baseline_app()")}
        seconds = {(name, kind): 0.0 for name in servers for kind in ("GET", "POST")}
        procs = []
        try:
            for port, token, target in servers.values():
                procs.append(_gunicorn(target, port, env))
                for i in range(2 * THREADS):  # warm-up: imports, templates, a connection in each worker
                    _request(port, "GET", f"/t/{token}?p={own[token][person_ids[i]]}")
            # Rounds alternate which server goes first, so a slower minute of a shared machine
            # weighs on both sides alike; each side's figure is its requests over its total time.
            for r in range(ROUNDS):
                order = list(servers) if r % 2 == 0 else list(reversed(servers))
                people = person_ids[r * POSTS:(r + 1) * POSTS]
                for name in order:
                    port, token, _target = servers[name]
                    gets = [("GET", f"/t/{token}?p={own[token][person_ids[(r * GETS + i) % len(person_ids)]]}", None)
                            for i in range(GETS)]
                    seconds[name, "GET"] += _timed(port, gets)
                for name in order:
                    port, token, _target = servers[name]
                    posts = [("POST", f"/t/{token}", {"p": own[token][pid], "client_token": secrets.token_urlsafe(16),
                                                      "step": 1, "go": "submit", **answers}) for pid in people]
                    seconds[name, "POST"] += _timed(port, posts)
        finally:
            for proc in procs:
                _stop(proc)
        stored = _stored_per_phase(url)
        if stored != {"pre": ROUNDS * POSTS, "post": ROUNDS * POSTS}:
            raise RuntimeError(f"expected {ROUNDS * POSTS} stored responses per phase, found {stored}")
    db = "PostgreSQL" if os.environ.get("BENCH_DATABASE_URL") else "SQLite"
    rate = {key: (ROUNDS * (GETS if key[1] == "GET" else POSTS)) / elapsed for key, elapsed in seconds.items()}
    return [
        row(f"phone form GET, gunicorn 2 workers, {db}, vs bare Flask + SQL", rate["app", "GET"],
            rate["bare", "GET"], min_ratio=MIN_VS_BARE_FLASK, unit="req/s"),
        row(f"phone form POST ({QUESTIONS} answers), gunicorn 2 workers, {db}, vs bare Flask + SQL",
            rate["app", "POST"], rate["bare", "POST"], min_ratio=MIN_VS_BARE_FLASK, unit="req/s"),
    ]


if __name__ == "__main__":
    print_table(run())
