"""The province dashboard on a year of data: 1,000,000 survey answers (50,000 responses of 1,000
trainings), 10,000 dialogues with 100,000 questions and their commitments, across 100 communes.

    python -m bench.indicators_bench [--scale 1] [--db sqlite|postgresql] [--pg-url URL] [--runs 7] [--tenth]

Two provinces are generated into one database built by the migrations: one at ``scale`` (the
sizes above times ``scale``) and one at 1 % of it, so the same run measures

- the dashboard page of the large province (signed in as its province officer), target < 300 ms (``TARGET_MS``);
- the same page for the small province (the baseline of the ratio);
- the SQL statements each page issues: the same number whatever the data (the ratio must be 1).

Rows are made in Python from one seeded random stream, explicit ids, no ORM, and written with Core
``insert()`` executemany in batches on SQLite (``Loader``), with ``COPY ... FROM STDIN`` on
PostgreSQL (``CopyLoader``: the same rows, ~100,000 rows/s where executemany wrote 15,000-25,000,
with the foreign keys and plain indexes made again after the load, ``bulk_load``), so scale 10
(10,000,000 answers, 15 million rows) is generated in under three minutes. ``--tenth`` adds a third
province at 10 % of the data (rows "data x10"). ``run()`` (the ``python -m bench`` contract)
measures SQLite at the scale in ``INDICATORS_BENCH_SCALE`` (default 1), and PostgreSQL too when
``INDICATORS_BENCH_PG_URL`` names a server database it may empty and reuse (at
``INDICATORS_BENCH_PG_SCALE``, default 0.1; ``INDICATORS_BENCH_TENTH=1`` for the third province).

    python -m bench.indicators_bench --db postgresql --scale 10 --tenth --pg-url URL
"""
from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, time as clock_time, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa

from bench import CPU, WALL, count_queries, print_table, row

# tests/conftest.py (its reset_database) imports its neighbours as pytest puts them on the path.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

PASSWORD = "bench-pass-1"
YEAR = 2025
BATCH = 10_000
# Sizes at scale 1.
COMMUNES, TRAININGS, PEOPLE_PER_TRAINING, ITEMS = 100, 1_000, 25, 20   # 1,000 x 25 x 2 x 20 = 1,000,000 answers
DIALOGUES, QUESTIONS_PER_DIALOGUE = 10_000, 10                            # 100,000 questions
TOPICS = ["Bình đẳng giới", "Phòng, chống bạo lực gia đình", "Phòng, chống tảo hôn", "Phòng, chống mua bán người",
          "Phòng, chống lừa đảo trên mạng"]
ETHNICITIES = ["01", "02", "07", "08", "09", "09", "08", "02"]
TARGET_MS = 300


class Loader:
    """Bulk inserts with explicit ids, one table at a time, in batches."""

    def __init__(self, conn: sa.Connection):
        self.conn = conn
        self.next_id: dict[str, int] = {}
        self.rows: dict[str, int] = {}

    def ids(self, table: sa.Table, n: int) -> range:
        start = self.next_id.get(table.name)
        if start is None:
            start = (self.conn.scalar(sa.select(sa.func.max(table.c.id))) or 0) + 1
        self.next_id[table.name] = start + n
        return range(start, start + n)

    def insert(self, table: sa.Table, rows) -> None:
        batch = []
        for r in rows:
            batch.append(r)
            if len(batch) == BATCH:
                self.conn.execute(table.insert(), batch)
                self.rows[table.name] = self.rows.get(table.name, 0) + len(batch)
                batch = []
        if batch:
            self.conn.execute(table.insert(), batch)
            self.rows[table.name] = self.rows.get(table.name, 0) + len(batch)


class CopyLoader(Loader):
    """The same rows as ``Loader``, streamed with PostgreSQL's ``COPY ... FROM STDIN`` (psycopg 3's
    ``cursor.copy()``) in the open transaction. The rows go through each column's SQLAlchemy bind
    processor (enums to their names; JSON dumped here, as psycopg's dialect does it at bind time)
    and get the model's Python-side defaults, as ``table.insert()`` gives them. COPY fires the row
    triggers like an INSERT (the lock on approved minutes, migration 0015) and checks the foreign
    keys row by row, unless ``bulk_load`` has set them aside for the load."""

    def __init__(self, conn: sa.Connection):
        super().__init__(conn)
        self.raw = conn.connection.driver_connection

    def insert(self, table: sa.Table, rows) -> None:
        rows = iter(rows)
        first = next(rows, None)
        if first is None:
            return
        columns = list(first)
        # What ``table.insert()`` adds from the model's Python-side defaults (COPY only knows the
        # server's): the columns the rows leave out.
        defaults = {c.name: c.default.arg if c.default.is_scalar else c.default.arg(None) for c in table.c
                    if c.name not in first and c.default is not None and not c.default.is_sequence}
        if defaults:
            rows = ({**one, **defaults} for one in rows)
            first = {**first, **defaults}
            columns = list(first)
        dialect = self.conn.dialect
        procs = [(i, json.dumps if isinstance(table.c[c].type, sa.JSON) else table.c[c].type.bind_processor(dialect))
                 for i, c in enumerate(columns)]
        procs = [(i, p) for i, p in procs if p is not None]
        names = ", ".join(f'"{c}"' for c in columns)
        count = 0
        with self.raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for one in itertools.chain((first,), rows):
                values = [one[c] for c in columns]
                for i, process in procs:
                    values[i] = process(values[i])
                copy.write_row(values)
                count += 1
        self.rows[table.name] = self.rows.get(table.name, 0) + count


def loader_for(conn: sa.Connection) -> Loader:
    return CopyLoader(conn) if conn.dialect.name == "postgresql" else Loader(conn)


LOADED = ("units", "agencies", "people", "survey_trainings", "survey_training_phases", "survey_participants",
          "survey_responses", "survey_answers", "dialogues", "dialogue_attendance_groups", "dialogue_questions",
          "dialogue_answers", "commitments")


@contextlib.contextmanager
def bulk_load(conn: sa.Connection, tables=LOADED):
    """PostgreSQL: the foreign keys of ``tables`` and their non-unique indexes dropped for the load
    and made again after it, in the same transaction, as pg_restore does: re-adding a foreign key
    checks every row in one join instead of one lookup and row lock per inserted row. Primary keys,
    unique constraints and the triggers (the lock on approved minutes) stay on throughout; a row
    that breaks a foreign key fails the re-adding, and the whole load is rolled back with the DDL.
    Nothing elsewhere (SQLite: the load is done as it is)."""
    if conn.dialect.name != "postgresql":
        yield
        return
    names = list(tables)
    foreign = conn.execute(sa.text(
        "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
        "WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY(:names) ORDER BY 1, 2"), {"names": names}).all()
    indexes = conn.execute(sa.text(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE NOT i.indisunique AND i.indrelid::regclass::text = ANY(:names) ORDER BY 1"), {"names": names}).all()
    for table, name, _definition in foreign:
        conn.execute(sa.text(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"'))
    for name, _definition in indexes:
        conn.execute(sa.text(f'DROP INDEX "{name}"'))
    yield
    conn.execute(sa.text("SET LOCAL maintenance_work_mem = '256MB'"))
    for _name, definition in indexes:
        conn.execute(sa.text(definition))
    for table, name, definition in foreign:
        conn.execute(sa.text(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}'))


def generate(conn: sa.Connection, code: str, scale: float, seed: int = 7, loader=None) -> dict:
    """One province (``code``) with its communes, villages, people, trainings with scored answers,
    and dialogues with questions, answers and commitments. Returns the row counts. ``loader``
    (``Loader`` or ``CopyLoader``, by default the database's fastest) only changes how the same
    rows are written."""
    from app.models import Agency, Person, Sex, Unit, UnitLevel
    from dialogues.models import (AnswerOutcome, AttendanceGroup, Commitment, CommitmentStatus, Dialogue,
                                  DialogueAnswer, DialogueLevel, DialogueQuestion as Question, DialogueStatus,
                                  QuestionOrigin, RaiserKind)
    from surveys.models import (Answer, Instrument, InstrumentVersion, Item, Participant, Phase, PhaseState,
                                QuestionKind, Response, ResponseSource, Topic, Training, TrainingPhase)

    rng = random.Random(seed)
    now = datetime(YEAR, 12, 31, tzinfo=timezone.utc)
    load = (loader or loader_for)(conn)
    t = {m: m.__table__ for m in (Unit, Agency, Person, Topic, Instrument, InstrumentVersion, Item, Training,
                                   TrainingPhase, Participant, Response, Answer, Dialogue, AttendanceGroup, Question,
                                   DialogueAnswer, Commitment)}
    communes = max(2, round(COMMUNES * min(scale, 1)))
    trainings = max(2, round(TRAININGS * scale))
    dialogues = max(2, round(DIALOGUES * scale))

    # --- units and agencies
    country_id = conn.scalar(sa.select(Unit.id).where(Unit.code == "VN"))
    if country_id is None:
        (country_id,) = load.ids(t[Unit], 1)
        load.insert(t[Unit], [dict(id=country_id, code="VN", name="Việt Nam", level=UnitLevel.country, path="/VN/",
                                   division_type="", is_active=True)])
    (province_id,) = load.ids(t[Unit], 1)
    province_path = f"/VN/{code}/"
    unit_rows = [dict(id=province_id, code=code, name=f"Tỉnh thử {code}", level=UnitLevel.province,
                      division_type="tỉnh", parent_id=country_id, path=province_path, is_active=True)]
    commune_ids = list(load.ids(t[Unit], communes))
    village_ids: dict[int, list[int]] = {}
    for i, cid in enumerate(commune_ids):
        ccode = f"{code}{i:03d}"
        unit_rows.append(dict(id=cid, code=ccode, name=f"Xã {ccode}", level=UnitLevel.commune, division_type="xã",
                              parent_id=province_id, path=f"{province_path}{ccode}/", is_active=True))
        village_ids[cid] = []
        for vid, v in zip(load.ids(t[Unit], 2), range(2)):
            vcode = f"{ccode}-{v + 1:02d}"
            unit_rows.append(dict(id=vid, code=vcode, name=f"Bản {vcode}", level=UnitLevel.village,
                                  division_type="bản", parent_id=cid, path=f"{province_path}{ccode}/{vcode}/",
                                  is_active=True))
            village_ids[cid].append(vid)
    load.insert(t[Unit], unit_rows)
    agency_of = dict(zip(commune_ids, load.ids(t[Agency], communes)))
    (province_agency,) = load.ids(t[Agency], 1)
    load.insert(t[Agency], [dict(id=aid, code=f"UB-{code}-{cid}", name=f"UBND {cid}", unit_id=cid, is_active=True)
                            for cid, aid in agency_of.items()]
                + [dict(id=province_agency, code=f"UB-{code}", name=f"UBND tỉnh {code}", unit_id=province_id,
                        is_active=True)])

    # --- tests: one per topic, ITEMS true/false items each
    topic_ids = {}
    for name in TOPICS:
        existing = conn.scalar(sa.select(Topic.id).where(Topic.name == name))
        if existing is None:
            (existing,) = load.ids(t[Topic], 1)
            load.insert(t[Topic], [dict(id=existing, name=name, is_active=True)])
        topic_ids[name] = existing
    versions, items_of = {}, {}
    for name, topic_id in topic_ids.items():
        (instrument_id,) = load.ids(t[Instrument], 1)
        (version_id,) = load.ids(t[InstrumentVersion], 1)
        load.insert(t[Instrument], [dict(id=instrument_id, title=f"Bài {name} {code}", topic_id=topic_id,
                                         unit_id=province_id, shuffle_options=False, created_dt=now, is_active=True)])
        load.insert(t[InstrumentVersion], [dict(id=version_id, instrument_id=instrument_id, number=1, created_dt=now)])
        item_ids = list(load.ids(t[Item], ITEMS))
        load.insert(t[Item], [dict(id=iid, version_id=version_id, position=p + 1, text=f"Câu {p + 1}",
                                   kind=QuestionKind.truefalse, options=["Đúng", "Sai"], correct=[1], points=1,
                                   has_dont_know=False) for p, iid in enumerate(item_ids)])
        versions[topic_id], items_of[version_id] = version_id, item_ids

    # --- trainings, rosters, responses, answers
    training_ids = list(load.ids(t[Training], trainings))
    people = trainings * PEOPLE_PER_TRAINING
    person_ids = iter(load.ids(t[Person], people))
    participant_ids = iter(load.ids(t[Participant], people))
    response_ids = iter(load.ids(t[Response], 2 * people))
    answer_ids = iter(load.ids(t[Answer], 2 * people * ITEMS))
    phase_ids = iter(load.ids(t[TrainingPhase], 2 * trainings))
    training_rows, phase_rows, person_rows, participant_rows, response_rows = [], [], [], [], []

    def answers():
        for r in response_rows:
            yield from r.pop("_answers")

    for n, tid in enumerate(training_ids):
        commune_id = commune_ids[n % communes]
        topic_id = topic_ids[TOPICS[n % len(TOPICS)]]
        version_id = versions[topic_id]
        start = date(YEAR, 1, 1) + timedelta(days=rng.randrange(365))
        training_rows.append(dict(id=tid, title=f"Tập huấn {n}", topic_id=topic_id, unit_id=commune_id, venue="",
                                  start_date=start, trainers="", version_id=version_id,
                                  one_question_per_screen=False, created_dt=now))
        for phase in (Phase.pre, Phase.post):
            pid = next(phase_ids)
            phase_rows.append(dict(id=pid, training_id=tid, phase=phase, public_token=f"b{code}-{pid}",
                                   state=PhaseState.closed))
        for _ in range(PEOPLE_PER_TRAINING):
            person_id = next(person_ids)
            person_rows.append(dict(id=person_id, code=f"B{code}-{person_id}", full_name=f"Người {person_id}",
                                    sex=Sex.female if rng.random() < 0.8 else Sex.male,
                                    birth_year=1960 + rng.randrange(45), ethnicity_system="TCTK-1979",
                                    ethnicity_code=rng.choice(ETHNICITIES),
                                    unit_id=rng.choice(village_ids[commune_id]), created_dt=now))
            participant_rows.append(dict(id=next(participant_ids), training_id=tid, person_id=person_id,
                                         added_dt=now))
            ability = rng.random()
            for phase, p_right in ((Phase.pre, 0.2 + 0.5 * ability), (Phase.post, 0.5 + 0.45 * ability)):
                rid = next(response_ids)
                points = [1 if rng.random() < p_right else 0 for _ in range(ITEMS)]
                response_rows.append(dict(
                    id=rid, training_id=tid, phase=phase, person_id=person_id, version_id=version_id,
                    source=ResponseSource.grid, score=sum(points), max_score=ITEMS, submitted_dt=now,
                    _answers=[dict(id=next(answer_ids), response_id=rid, item_id=iid, choice="1" if pt else "2",
                                   points=pt, is_dont_know=False) for iid, pt in zip(items_of[version_id], points)]))
        if len(response_rows) >= BATCH or n == trainings - 1:
            # Parents first: the foreign keys are checked row by row on PostgreSQL.
            load.insert(t[Training], training_rows)
            load.insert(t[TrainingPhase], phase_rows)
            load.insert(t[Person], person_rows)
            load.insert(t[Participant], participant_rows)
            answer_batch = list(answers())
            load.insert(t[Response], response_rows)
            load.insert(t[Answer], answer_batch)
            training_rows, phase_rows, person_rows, participant_rows, response_rows = [], [], [], [], []

    # --- dialogues, attendance groups, questions, answers, commitments
    outcomes = [AnswerOutcome.answered] * 4 + [AnswerOutcome.accepted] * 4 + [AnswerOutcome.forwarded, AnswerOutcome.noted]
    statuses = [CommitmentStatus.resolved] * 5 + [CommitmentStatus.in_progress] * 2 + [
        CommitmentStatus.open, CommitmentStatus.partly_resolved, CommitmentStatus.not_feasible]
    dialogue_ids = list(load.ids(t[Dialogue], dialogues))
    group_ids = iter(load.ids(t[AttendanceGroup], 2 * dialogues))
    question_ids = iter(load.ids(t[Question], dialogues * QUESTIONS_PER_DIALOGUE))
    d_answer_ids = iter(load.ids(t[DialogueAnswer], dialogues * QUESTIONS_PER_DIALOGUE))
    d_rows, g_rows, q_rows, a_rows, c_rows = [], [], [], [], []
    for n, did in enumerate(dialogue_ids):
        commune_id = commune_ids[n % communes]
        held = date(YEAR, 1, 1) + timedelta(days=rng.randrange(365))
        total = 40 + rng.randrange(60)
        d_rows.append(dict(id=did, title=f"Đối thoại {n}", level=DialogueLevel.commune, unit_id=commune_id,
                           held_on=held, start_time=clock_time(8), end_time=clock_time(11),
                           attendance_total=total, attendance_women=int(total * 0.8),
                           attendance_minority=int(total * 0.7), status=DialogueStatus.held, revision=1,
                           created_dt=now))
        g_rows += [dict(id=next(group_ids), dialogue_id=did, position=1, label="Hội viên phụ nữ",
                        count=int(total * 0.7)),
                   dict(id=next(group_ids), dialogue_id=did, position=2, label="Người có uy tín", count=5)]
        for number in range(1, QUESTIONS_PER_DIALOGUE + 1):
            qid = next(question_ids)
            outcome = rng.choice(outcomes)
            q_rows.append(dict(id=qid, dialogue_id=did, number=number, origin=QuestionOrigin.on_day, is_raised=True,
                               raiser_kind=RaiserKind.person, raiser_name="Người nêu", content="Kiến nghị",
                               agency_id=agency_of[commune_id], created_dt=now))
            a_rows.append(dict(id=next(d_answer_ids), question_id=qid, content="Trả lời", outcome=outcome,
                               forwarded_agency_id=province_agency if outcome is AnswerOutcome.forwarded else None))
            if outcome is AnswerOutcome.accepted:
                (cid,) = load.ids(t[Commitment], 1)
                deadline = held + timedelta(days=15 + rng.randrange(60))
                status = rng.choice(statuses)
                closed = held + timedelta(days=5 + rng.randrange(90)) if status not in (
                    CommitmentStatus.open, CommitmentStatus.in_progress) else None
                c_rows.append(dict(id=cid, question_id=qid, position=1, agency_id=agency_of[commune_id],
                                   description="Cam kết", deadline=deadline, original_deadline=deadline, status=status,
                                   created_dt=now, closed_on=closed))
        if len(q_rows) >= BATCH or n == dialogues - 1:
            for model, rows in ((Dialogue, d_rows), (AttendanceGroup, g_rows), (Question, q_rows),
                                (DialogueAnswer, a_rows), (Commitment, c_rows)):
                load.insert(t[model], rows)
            # Approved last: the lock triggers (migration 0015) refuse rows added to approved minutes.
            load.conn.execute(sa.update(t[Dialogue]).where(t[Dialogue].c.id.in_([r["id"] for r in d_rows]))
                              .values(status=DialogueStatus.approved))
            d_rows, g_rows, q_rows, a_rows, c_rows = [], [], [], [], []
    return dict(load.rows)


def _reset_sequences(conn: sa.Connection) -> None:
    """Explicit ids leave PostgreSQL's sequences behind; later ORM inserts (users) need them."""
    if conn.dialect.name != "postgresql":
        return
    names = conn.execute(sa.text(
        "SELECT table_name FROM information_schema.columns WHERE column_name = 'id' "
        "AND column_default LIKE 'nextval%' AND table_schema = 'public'")).scalars().all()
    for name in names:
        conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                             f"COALESCE((SELECT max(id) FROM \"{name}\"), 0) + 1, false)"))


def build(url: str, scale: float, log=print, tenth: bool = False):
    """An app on an emptied database at ``url``, migrated, with the large province "91" and the
    small one "92" (1 % of it), with ``tenth`` a third one "93" at 10 % of it, their officers and a
    few indicators with targets."""
    from flask_migrate import upgrade

    from app import create_app, services
    from app.extensions import db
    from app.indicators import rollups
    from app.indicators.models import Indicator, IndicatorTarget
    from app.models import Role, Unit
    from tests.conftest import reset_database  # the suite's: drops every table, or the public schema

    reset_database(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                      "INSTANCE_DIR": tempfile.gettempdir()})
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        with db.engine.begin() as conn, bulk_load(conn):
            large = generate(conn, "91", scale)
            small = generate(conn, "92", scale / 100, seed=8)
            middle = generate(conn, "93", scale / 10, seed=9) if tenth else {}
            _reset_sequences(conn)
            loaded = time.perf_counter() - started
        total = sum(large.values()) + sum(small.values()) + sum(middle.values())
        elapsed = time.perf_counter() - started
        log(f"generated in {elapsed:.0f} s ({loaded:.0f} s of rows, the rest the indexes, foreign keys, commit): "
            f"{total:,} rows, {total / elapsed:,.0f} rows/s: " + ", ".join(f"{k} {v:,}" for k, v in sorted(large.items()))
            + f" (+ {sum(small.values()):,} rows at 1 %" + (f", {sum(middle.values()):,} at 10 %)" if tenth else ")"))
        # The bulk load bypassed the ORM (and so the flush hook): what ``flask indicators rebuild`` does.
        started = time.perf_counter()
        written = rollups.rebuild()
        db.session.commit()
        app.config["BENCH_REBUILD_S"] = time.perf_counter() - started
        log(f"rollups rebuilt in {app.config['BENCH_REBUILD_S']:.1f} s: {written:,} counter rows")
        if db.engine.dialect.name == "postgresql":
            # What autovacuum does after a bulk load, done now so the timing measures a settled
            # database rather than one busy vacuuming a million fresh rows.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM ANALYZE"))
        else:
            with db.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
        for code in ("91", "92", "93") if tenth else ("91", "92"):
            unit = db.session.scalar(sa.select(Unit).where(Unit.code == code))
            services.create_user(f"tinh{code}", PASSWORD, Role.province, unit)
            for position, figure in enumerate(("trainings_held", "training_participants", "dialogues_held",
                                               "share_resolved"), start=1):
                indicator = db.session.scalar(sa.select(Indicator).where(Indicator.figure == figure)) or Indicator(
                    code=f"B-{figure}", name=figure, unit_of_measure="", figure=figure, position=position)
                db.session.add(IndicatorTarget(indicator=indicator, unit=unit, year=YEAR, target=1000))
        db.session.commit()
    return app


def _client(app, username: str):
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return client


def measure(app, runs: int, label: str) -> list[dict]:
    """Median page times, large and small province alternately. SQLite runs inside this process,
    so its time is CPU time (on a busy machine wall time mostly measures the scheduler);
    PostgreSQL works in its own process, so there it is wall time."""
    from app.extensions import db

    with app.app_context():
        clock = CPU if db.engine.dialect.name == "sqlite" else WALL
    url = f"/indicators/?period=year&year={YEAR}"
    tenth = app.config.get("BENCH_TENTH", False)
    clients = {code: _client(app, f"tinh{code}") for code in (("91", "92", "93") if tenth else ("91", "92"))}

    def page(code, mode="rollups"):
        response = clients[code].get(url + ("&mode=raw" if mode == "raw" else ""))
        assert response.status_code == 200, response.status_code
        return response

    runs_of = {("91", "rollups"): [], ("92", "rollups"): [], ("91", "raw"): []}
    if tenth:
        runs_of[("93", "rollups")] = []
    for code, mode in runs_of:
        page(code, mode)  # warm: templates, plans
    for _ in range(runs):
        for (code, mode), times in runs_of.items():
            start = clock()
            page(code, mode)
            times.append((clock() - start) * 1000)
    large, small, raw, *middle = (statistics.median(t) for t in runs_of.values())
    with app.app_context():
        engine = db.engine
        kind = "CPU" if clock is CPU else "wall"
    queries_large, queries_small = count_queries(engine, lambda: page("91")), count_queries(engine, lambda: page("92"))
    tenth_rows = [
        row(f"indicators: province dashboard, {label}, data x10 (time vs 10 % of the data)", round(large, 1),
            round(middle[0], 1), unit="ms", max_ratio=10),
        row(f"indicators: province dashboard, {label}, data x10 (SQL statements)", queries_large,
            count_queries(engine, lambda: page("93")), max_ratio=1, min_ratio=1, unit="queries"),
    ] if tenth else []
    return [
        row(f"indicators: province dashboard from rollups, full year, {label} ({kind} time vs {TARGET_MS} ms budget)",
            round(large, 1), TARGET_MS, max_ratio=1.0, unit="ms"),
        row(f"indicators: province dashboard, {label}, rollups vs raw computation (time)", round(large, 1),
            round(raw, 1), max_ratio=1.0, unit="ms"),
        # 100 times the data may not cost more than 100 times the time (no worse than linear).
        row(f"indicators: province dashboard, {label}, data x100 (time vs 1 % of the data)", round(large, 1),
            round(small, 1), unit="ms", max_ratio=100),
        row(f"indicators: province dashboard, {label}, data x100 (SQL statements)", queries_large, queries_small,
            max_ratio=1, min_ratio=1, unit="queries"),
        *tenth_rows,
    ]


def bench_database(url: str, scale: float, runs: int, label: str, tenth: bool = False) -> list[dict]:
    app = build(url, scale, log=lambda msg: print(f"{label}: {msg}", file=sys.stderr), tenth=tenth)
    app.config["BENCH_TENTH"] = tenth
    try:
        return measure(app, runs, label)
    finally:
        with app.app_context():
            from app.extensions import db

            db.session.remove()
            db.engine.dispose()


def run(scale: float | None = None, databases: tuple[str, ...] | None = None, pg_url: str | None = None,
        runs: int = 7, tenth: bool | None = None) -> list[dict]:
    pg_scale_default = scale
    scale = scale if scale is not None else float(os.environ.get("INDICATORS_BENCH_SCALE", "1"))
    pg_url = pg_url or os.environ.get("INDICATORS_BENCH_PG_URL")
    databases = databases or (("sqlite", "postgresql") if pg_url else ("sqlite",))
    tenth = tenth if tenth is not None else os.environ.get("INDICATORS_BENCH_TENTH") == "1"
    rows = []
    for name in databases:
        if name == "sqlite":
            with tempfile.TemporaryDirectory() as folder:
                rows += bench_database(f"sqlite:///{Path(folder) / 'bench.sqlite3'}", scale, runs,
                                       f"SQLite, scale {scale:g}", tenth)
        else:
            if not pg_url:
                raise SystemExit("PostgreSQL needs --pg-url (a database this bench may empty)")
            # ``make bench`` keeps to a few minutes: PostgreSQL at INDICATORS_BENCH_PG_SCALE (default
            # 0.1, 100,000 answers); the full scale is measured by hand (--db postgresql --scale 1).
            pg_scale = pg_scale_default if pg_scale_default is not None else float(
                os.environ.get("INDICATORS_BENCH_PG_SCALE", "0.1"))
            try:
                rows += bench_database(pg_url, pg_scale, runs, f"PostgreSQL, scale {pg_scale:g}", tenth)
            finally:
                from tests.conftest import reset_database

                reset_database(pg_url)  # leave nothing behind
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=None)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), action="append")
    parser.add_argument("--pg-url", default=os.environ.get("INDICATORS_BENCH_PG_URL"))
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--tenth", action="store_true", default=None,
                        help="a third province at 10 %% of the data: the rows 'data x10' beside 'data x100'")
    args = parser.parse_args()
    print_table(run(args.scale, tuple(args.db or ("sqlite",)), args.pg_url, args.runs, args.tenth))
