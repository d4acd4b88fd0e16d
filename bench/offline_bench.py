"""Weight of the offline phone form (issue #19): the bytes of its script and service worker against
the 10 KB budget, and what a phone downloads to open a 10-question form for the first time (the
page, its stylesheet and its script; afterwards the service worker serves the last two), against
the 25 KB page budget the phone form has always had. Uncompressed bytes; nothing is timed. Both are
budgets, not baselines: a byte count means the same on any machine."""
from __future__ import annotations

import re
import tempfile
from pathlib import Path

from bench import print_table, row
from bench.phone_bench import _seed, respondent_keys

ROOT = Path(__file__).resolve().parent.parent
SCRIPT_BUDGET, PAGE_BUDGET = 10 * 1024, 25 * 1024


def run() -> list[dict]:
    from app import create_app

    script = (ROOT / "app/static/js/offline.js").stat().st_size + (ROOT / "app/static/js/sw.js").stat().st_size
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/offline-bench.sqlite3"
        pre_token, _post, _training, person_ids, _keys = _seed(url, 30)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
        client = app.test_client()
        key = respondent_keys("bench", pre_token, person_ids[:1])[person_ids[0]]  # her own signed link
        page = client.get(f"/t/{pre_token}", query_string={"p": key})
        assert page.status_code == 200 and "Câu 10/10" in page.get_data(as_text=True)
        assets = {a: len(client.get(a).data) for a in re.findall(r'(?:href|src)="(/static/[^"]+)"', page.get_data(as_text=True))}
        with app.app_context():
            from app.extensions import db
            db.engine.dispose()
    total = len(page.data) + sum(assets.values())
    return [
        row("offline script + service worker (uncompressed)", script, SCRIPT_BUDGET, max_ratio=1.0, unit="bytes"),
        row("10-question phone form: page + stylesheet + script vs 25 KB", total, PAGE_BUDGET, max_ratio=1.0,
            unit="bytes"),
    ]


if __name__ == "__main__":
    print_table(run())
