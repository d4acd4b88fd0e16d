"""The dashboard bench's data generator (``bench/indicators_bench.py``): on PostgreSQL its COPY
loader writes exactly the rows of the executemany one, the foreign keys and indexes it drops for the
load come back as the migrations made them, and on the generated data (either database) the
dashboard read from the rebuilt rollups equals the one computed from the raw rows."""
from __future__ import annotations

import contextlib

import pytest
import sqlalchemy as sa

from app import clock
from app.extensions import db as _db
from app.indicators import rollups
from app.indicators.dashboard import compute_dashboard
from app.indicators.periods import Period
from app.models import Unit
from bench import indicators_bench as bench

SCALE = 0.01  # 10 trainings (10,000 answers), 100 dialogues (1,000 questions)


def _schema(conn) -> list:
    return conn.execute(sa.text(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE connamespace = current_schema()::regnamespace UNION ALL "
        "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
        "UNION ALL SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid) FROM pg_trigger "
        "WHERE NOT tgisinternal ORDER BY 1, 2, 3")).all()


def _generated(loader, bulk: bool) -> tuple[dict, dict]:
    """The rows ``generate`` writes with ``loader``, table by table, and the row counts; rolled back."""
    with _db.engine.connect() as conn:
        transaction = conn.begin()
        with bench.bulk_load(conn) if bulk else contextlib.nullcontext():
            counts = bench.generate(conn, "91", SCALE, loader=loader)
        rows = {name: conn.execute(sa.text(f'SELECT * FROM "{name}" ORDER BY id')).all() for name in counts}
        transaction.rollback()
    return rows, counts


def test_copy_loader_writes_the_rows_of_executemany(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    with db.engine.connect() as conn:
        schema = _schema(conn)
    plain, counts = _generated(bench.Loader, bulk=False)
    copied, copied_counts = _generated(bench.CopyLoader, bulk=True)
    assert counts == copied_counts
    assert counts["survey_answers"] == 10 * bench.PEOPLE_PER_TRAINING * 2 * bench.ITEMS
    assert counts["dialogue_questions"] == 100 * bench.QUESTIONS_PER_DIALOGUE
    for name in counts:
        assert copied[name] == plain[name], name
    with db.engine.connect() as conn:
        assert _schema(conn) == schema


def test_bulk_load_checks_the_foreign_keys_when_it_ends(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the foreign keys are dropped for the load on PostgreSQL only")
    with db.engine.connect() as conn:
        transaction = conn.begin()
        with pytest.raises(sa.exc.IntegrityError):
            with bench.bulk_load(conn):
                bench.generate(conn, "91", SCALE)
                conn.execute(sa.text("UPDATE survey_answers SET response_id = response_id + 1000000 "
                                     "WHERE id = (SELECT min(id) FROM survey_answers)"))
        transaction.rollback()


def test_generated_data_rollups_equal_raw(db):
    with db.engine.begin() as conn, bench.bulk_load(conn):
        bench.generate(conn, "91", SCALE)
        bench.generate(conn, "92", SCALE / 10, seed=8)
        bench._reset_sequences(conn)
    rollups.rebuild()
    db.session.commit()
    today = clock.today()
    for code in ("91", "92", "VN"):
        unit = db.session.scalar(sa.select(Unit).where(Unit.code == code))
        for period in (Period.year(bench.YEAR), Period.quarter(bench.YEAR, 2)):
            board = compute_dashboard(unit, period, today, "rollups").to_json()
            assert board == compute_dashboard(unit, period, today, "raw").to_json(), (code, period)
            assert board["total"]["trainings_held"] > 0 and board["total"]["dialogues_held"] > 0, (code, period)
