"""Core benchmark: the people list stays flat in data size.

The list of participants is paginated, so with 2,000 people it must issue exactly as many queries
as with 10 (a query per row would show up here: 10 rows against 25), cost less than twice one full
page of 25 (the database counts and sorts all rows; Python must not touch them), and cost a bounded multiple of the cheapest page (the login form, which
touches no database), all measured in the same run on the same machine.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from bench import CPU, count_queries, median_ms, paired_median_ms, print_table, row

SMALL, PAGE, LARGE = 10, 25, 2_000  # PAGE: one full page (PER_PAGE), the same rows drawn as with LARGE
# A regression guard set from measurement: a 25-row table with search, pagination and navigation
# costs about 4.3x the CPU time of the bare login form (x86_64, Nov 2026); 6x leaves room for noise.
LIST_VS_LOGIN = 6
# SQLite still counts and sorts every row for "page 1 of 80" (about +1.5 ms at 2,000 people, so
# ~1.4x); loading the rows into Python instead would cost 10x and more.
LARGE_VS_PAGE = 2
PASSWORD = "bench1234"


def _app(folder: Path):
    from app import create_app
    from app.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}", "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False, "INSTANCE_DIR": str(folder)})
    with app.app_context():
        db.create_all()
    return app


def _seed(app) -> int:
    """A commune with one village and its officer; returns the village id."""
    from app import services
    from app.extensions import db
    from app.models import Role, Unit, UnitLevel

    with app.app_context():
        country = Unit(code="VN", name="Việt Nam", level=UnitLevel.country, path="/VN/")
        province = Unit(code="19", name="Thái Nguyên", level=UnitLevel.province, parent=country, path="/VN/19/")
        commune = Unit(code="02020", name="Xã Chợ Đồn", level=UnitLevel.commune, parent=province,
                       path="/VN/19/02020/")
        db.session.add_all([country, province, commune])
        village = services.create_unit(commune, "Bản Ca", "bản")
        services.create_user("chodon", PASSWORD, Role.commune, commune)
        db.session.commit()
        return village.id


def _add_people(app, village_id: int, start: int, stop: int) -> None:
    from app.extensions import db
    from app.models import Person, Sex

    with app.app_context():
        db.session.add_all(Person(code=f"CD-{i:05d}", full_name=f"Người tham gia {i:05d}", unit_id=village_id,
                                  sex=Sex.female, birth_year=1960 + i % 45, ethnicity_code="02",
                                  ethnicity_system="TCTK-1979") for i in range(start, stop))
        db.session.commit()


def run() -> list[dict]:
    from app.extensions import db

    with tempfile.TemporaryDirectory() as folder:
        app = _app(Path(folder))
        village_id = _seed(app)
        client, anonymous = app.test_client(), app.test_client()
        assert client.post("/login", data={"username": "chodon", "password": PASSWORD}).status_code == 302
        with app.app_context():
            engine = db.engine

        def people_list():
            assert client.get("/people/").status_code == 200

        def login_page():
            assert anonymous.get("/login").status_code == 200

        _add_people(app, village_id, 0, SMALL)
        small_queries = count_queries(engine, people_list)
        _add_people(app, village_id, SMALL, PAGE)
        page_ms = median_ms(people_list, clock=CPU)
        _add_people(app, village_id, PAGE, LARGE)
        large_queries = count_queries(engine, people_list)
        large_ms, login_ms = paired_median_ms(people_list, login_page, clock=CPU)
        engine.dispose()
    return [
        row(f"people list, {LARGE:,} vs {SMALL} people (queries)", large_queries, small_queries,
            max_ratio=1, min_ratio=1, unit="queries"),
        row(f"people list, {LARGE:,} people vs one full page ({PAGE}) (time)", large_ms, page_ms,
            max_ratio=LARGE_VS_PAGE, unit="ms"),
        row(f"people list with {LARGE:,} people vs login page (time)", large_ms, login_ms,
            max_ratio=LIST_VS_LOGIN, unit="ms"),
    ]


if __name__ == "__main__":
    print_table(run())
