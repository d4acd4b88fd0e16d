"""How long the results page of a large training takes to render: 200 participants answering a
30-question test before and after (6,000 answers per phase), all entered through the survey
services like a trainer's paper entry.

    python -m bench.results_bench [--people 200] [--questions 30] [--runs 15]

``run()`` (for ``python -m bench``) checks the query count is the same with 10 and 200 participants
and bounds the page's CPU time against the home page; ``main()`` keeps the detailed report, which
reports the median time of the results page (and of its PDF and XLSX), and each as a ratio to a
minimal signed-in page (the home page) timed in the same run on the same database, so the figure
means the same on a laptop and on a server. A temporary SQLite database is built by the migrations
and deleted afterwards.
"""
from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa

PASSWORD = "bench-pass-1"


def build(people: int, questions: int):
    """A province, a commune with two villages, a trainer and one filled-in training."""
    from app import services as core
    from app.extensions import db
    from app.models import Role, Sex, Unit, UnitLevel
    from surveys import services
    from surveys.models import Phase, QuestionKind, ResponseSource

    vn = Unit(code="VN", name="Việt Nam", level=UnitLevel.country, path="/VN/")
    province = Unit(code="19", name="Thái Nguyên", level=UnitLevel.province, division_type="tỉnh", parent=vn,
                    path="/VN/19/")
    commune = Unit(code="02086", name="Xã Chợ Mới", level=UnitLevel.commune, division_type="xã", parent=province,
                   path="/VN/19/02086/")
    db.session.add_all([vn, province, commune])
    db.session.flush()
    villages = [core.create_unit(commune, name, "bản") for name in ("Nà Nguộc", "Khuổi Hát")]
    core.create_user("bench", PASSWORD, Role.trainer, commune)
    topic = services.save_topic(None, "Phòng, chống bạo lực gia đình")
    contents = [services.clean_content(text=f"Câu hỏi số {i + 1} về phòng, chống bạo lực gia đình?",
                                       kind=QuestionKind.single, options=["Có", "Không", "Tùy trường hợp"],
                                       correct=[1 + i % 3], has_dont_know=i % 4 == 0) for i in range(questions)]
    instrument = services.create_instrument(title="Bài kiểm tra lớn", topic=topic, unit=province, user=None,
                                            contents=contents)
    training = services.save_training(None, title="Tập huấn đông người", topic=topic, unit=commune,
                                      instrument=instrument, start_date=date(2025, 9, 20))
    rng = random.Random(1)
    items = training.version.items
    for i in range(people):
        person = core.save_person(None, full_name=f"Học viên {i + 1:03d}", unit=villages[i % 2],
                                  sex=Sex.female if i % 7 else Sex.male, birth_year=1960 + i % 45,
                                  ethnicity_code=rng.choice(["01", "02", "07", "08", "09"]))
        services.add_participant(training, person)
        core.give_consent(person, services.CONSENT_PURPOSE)
        ability = rng.random()
        for phase, boost in ((Phase.pre, 0.0), (Phase.post, 0.3)):
            if phase is Phase.post and i % 12 == 0:
                continue  # some leave before the post test
            raw = {it.key: (str(it.correct[0]) if rng.random() < 0.3 + 0.4 * ability + boost
                            else str(rng.randint(1, 3))) for it in items if rng.random() > 0.03}
            answers, errors = services.parse_answers(items, raw)
            assert not errors, errors
            services.save_response(training, phase, person, answers, source=ResponseSource.grid)
    db.session.commit()
    return training.id


def median_ms(client, url: str, runs: int) -> tuple[float, int]:
    """Median wall time of ``runs`` GETs after one warm-up (template compilation, caches)."""
    status = client.get(url).status_code
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        status = response.status_code
    return statistics.median(times), status


def count_queries(app, client, url: str) -> int:
    from app.extensions import db

    count = 0

    def record(*_args):
        nonlocal count
        count += 1

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        client.get(url)
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return count


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--questions", type=int, default=30)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)

    from flask_migrate import upgrade

    from app import create_app

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'bench.sqlite3'}",
                          "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False, "INSTANCE_DIR": tmp,
                          "STORAGE_DIR": str(Path(tmp) / "storage")})
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            training_id = build(args.people, args.questions)
            print(f"data: {args.people} participants x {args.questions} questions, pre and post, "
                  f"entered in {time.perf_counter() - started:.1f} s")
        client = app.test_client()
        response = client.post("/login", data={"username": "bench", "password": PASSWORD})
        assert response.status_code == 302, "bench login failed"

        baseline, status = median_ms(client, "/home", args.runs)
        assert status == 200, f"baseline page answered {status}"
        print(f"{'page':<28}{'median ms':>10}{'x baseline':>12}{'queries':>9}")
        print(f"{'/home (baseline)':<28}{baseline:>10.1f}{1:>12.1f}{count_queries(app, client, '/home'):>9}")
        base = f"/surveys/trainings/{training_id}"
        for label, url, runs in (("results page", f"{base}/results", args.runs),
                                 ("results PDF", f"{base}/results.pdf", max(3, args.runs // 5)),
                                 ("results XLSX", f"{base}/results.xlsx", max(3, args.runs // 5))):
            ms, status = median_ms(client, url, runs)
            assert status == 200, f"{url} answered {status}"
            print(f"{label:<28}{ms:>10.1f}{ms / baseline:>12.1f}{count_queries(app, client, url):>9}")


SMALL, LARGE, QUESTIONS = 10, 200, 30
# Regression guards from measurement, not a spec: 200 people x 30 questions x 2 phases (12,000
# answers aggregated, paired statistics, four breakdowns) cost ~25x the CPU time of the home page
# when the answers were scored once per breakdown and every number went through Babel (x86_64,
# Nov 2026), ~15x since (Dec 2026); 18x leaves room for noise. Loading answers row by row into
# Python would cost far more.
RESULTS_VS_HOME = 18
# The training page of the same class (roster with scores, two phone links with their QR codes):
# ~9x the home page when each roster row built its links through url_for and each visit drew
# both QR codes again, ~6x since (Dec 2026).
TRAINING_VS_HOME = 8


def _measure(people: int, tmp: Path) -> dict:
    """Queries and CPU time of the results page and of the training page, and the home page's
    CPU time (measured alternately with each), on a fresh database."""
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from bench import CPU, count_queries as bench_count, paired_median_ms

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / f'bench{people}.sqlite3'}",
                      "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False, "INSTANCE_DIR": str(tmp),
                      "STORAGE_DIR": str(tmp / "storage")})
    with app.app_context():
        upgrade()
        training_id = build(people, QUESTIONS)
        engine = db.engine
    out = {}
    try:
        client = app.test_client()
        assert client.post("/login", data={"username": "bench", "password": PASSWORD}).status_code == 302

        def home():
            assert client.get("/home").status_code == 200

        for page, url in (("results", f"/surveys/trainings/{training_id}/results"),
                          ("training", f"/surveys/trainings/{training_id}")):
            def get(url=url):
                assert client.get(url).status_code == 200

            out[f"{page}_queries"] = bench_count(engine, get)
            out[f"{page}_ms"], out[f"{page}_home_ms"] = paired_median_ms(get, home, repeat=15, warmup=2, clock=CPU)
    finally:
        engine.dispose()
    return out


POOLED_PAIRS, POOLED_TRAININGS = 20_000, 400
# 20,000 pooled pairs (400 trainings of 50) through compute_pooled_results, with every breakdown
# and the random-effects combination, against one 200-person training's results page: the
# issue's target is under 1 s; measured ~4x the page (x86_64, Dec 2026), 10x allows noise.
POOLED_VS_RESULTS = 10


def _pooled_ms() -> float:
    """CPU time of the pooled statistics on ``POOLED_PAIRS`` pairs (no database: the rows the
    loader would fetch, built in memory)."""
    from datetime import date as day

    from bench import CPU, paired_median_ms
    from surveys.analytics.pooled import Selection, compute_pooled_results
    from surveys.models import Phase

    rng = random.Random(3)
    per = POOLED_PAIRS // POOLED_TRAININGS
    trainings = [(t, f"Lớp {t}", day(2025, 1 + t % 12, 1), f"Chủ đề {t % 5}", f"Xã {t % 40}")
                 for t in range(POOLED_TRAININGS)]
    facts = {p: {"commune": f"Xã {p % 40}", "sex": "F" if p % 9 else "M", "ethnicity": ("Kinh", "Tày", "Dao")[p % 3],
                 "birth_year": 1960 + p % 45} for p in range(POOLED_PAIRS)}
    scores = []
    for p in range(POOLED_PAIRS):
        t = p // per
        pre = rng.randint(0, 20)
        scores += [(t, Phase.pre, p, pre, 20), (t, Phase.post, p, max(0, min(20, pre + rng.randint(-2, 8))), 20)]
    selection = Selection(unit=None)
    timed = paired_median_ms(lambda: compute_pooled_results(selection, trainings, scores, facts), lambda: None,
                             repeat=3, warmup=1, clock=CPU)
    return timed[0]


def run() -> list[dict]:
    from bench import row

    with tempfile.TemporaryDirectory() as tmp:
        small = _measure(SMALL, Path(tmp))
        large = _measure(LARGE, Path(tmp))
    pooled_ms = _pooled_ms()
    return [
        row(f"pooled results, {POOLED_PAIRS:,} pairs vs one {LARGE}-person results page (time)", pooled_ms,
            large["results_ms"], max_ratio=POOLED_VS_RESULTS, unit="ms"),
        row(f"training results page, {LARGE} vs {SMALL} participants (queries)", large["results_queries"],
            small["results_queries"], max_ratio=1, min_ratio=1, unit="queries"),
        row(f"training results page, {LARGE} participants × {QUESTIONS} questions vs home page (time)",
            large["results_ms"], large["results_home_ms"], max_ratio=RESULTS_VS_HOME, unit="ms"),
        row(f"training page, {LARGE} vs {SMALL} participants (queries)", large["training_queries"],
            small["training_queries"], max_ratio=1, min_ratio=1, unit="queries"),
        row(f"training page, {LARGE} participants with scores vs home page (time)", large["training_ms"],
            large["training_home_ms"], max_ratio=TRAINING_VS_HOME, unit="ms"),
    ]


if __name__ == "__main__":
    main()
