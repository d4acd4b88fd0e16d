"""Benchmarks: ``make bench`` (``python -m bench [NAME ...]``) runs every ``bench/*_bench.py``
module that defines ``run()``, prints one Markdown table headed by the date and the machine, and
exits non-zero when a target is missed.

The contract for a benchmark module ``bench/<topic>_bench.py``:

- ``run() -> list[dict]``: measures, and returns one row per figure. It builds whatever it needs
  itself (an app from ``create_app({...})`` on a temporary database, data, a baseline) and leaves
  nothing behind. It must not reach the network.
- Each figure is compared with a **baseline measured in the same run** on the same machine (a
  minimal page, a bare Flask app doing the same database work, bare WeasyPrint on the same HTML,
  the same page with less data...), so the ratio means something on any machine. Build rows with
  :func:`row`, which fills in the keys::

      {"name": str,          # what was measured, e.g. "people list, 2,000 vs 10 people (time)"
       "value": float,       # the measurement
       "baseline": float,    # the baseline it is compared with
       "ratio": float,       # value / baseline
       "target": str,        # human-readable target, e.g. "≤ 1.5×"
       "ok": bool,           # whether the ratio meets the target
       "unit": str}          # unit of value and baseline ("ms", "queries", "MB", "req/s"), may be ""

- A module may also be run alone (``python -m bench.<topic>_bench``) by ending with
  ``if __name__ == "__main__": print_table(run())``.

Helpers here: :func:`row`, :func:`median_ms` (time a callable), :func:`paired_median_ms` (a
callable and its baseline, alternately), :func:`count_queries` (SQL
statements issued by a callable), :func:`machine`, :func:`print_table`.
"""
from __future__ import annotations

import os
import platform
import statistics
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Callable, Iterator

import sqlalchemy as sa


def row(name: str, value: float, baseline: float, *, max_ratio: float | None = None,
        min_ratio: float | None = None, unit: str = "") -> dict:
    """One result row; ``ok`` when ``min_ratio <= value / baseline <= max_ratio`` (either optional)."""
    ratio = value / baseline if baseline else float("inf")
    ok = (max_ratio is None or ratio <= max_ratio) and (min_ratio is None or ratio >= min_ratio)
    if max_ratio is not None and min_ratio is not None:
        target = f"= {max_ratio:g}×" if max_ratio == min_ratio else f"{min_ratio:g}–{max_ratio:g}×"
    elif max_ratio is not None:
        target = f"≤ {max_ratio:g}×"
    else:
        target = f"≥ {min_ratio:g}×"
    return {"name": name, "value": value, "baseline": baseline, "ratio": ratio, "target": target, "ok": ok,
            "unit": unit}


# Work done in this process (an in-process test client, SQLite) is best timed in CPU time: on a
# busy machine wall time mostly measures the scheduler. Time servers and subprocesses with WALL.
CPU = time.process_time
WALL = time.perf_counter


def median_ms(fn: Callable[[], object], repeat: int = 40, warmup: int = 5, clock=WALL) -> float:
    """Median time of ``fn()`` in milliseconds."""
    return paired_median_ms(fn, None, repeat, warmup, clock)[0]


def paired_median_ms(fn: Callable[[], object], baseline: Callable[[], object] | None, repeat: int = 40,
                     warmup: int = 5, clock=WALL) -> tuple[float, float | None]:
    """Median times of ``fn`` and ``baseline``, called alternately so both see the same load."""
    calls = [fn] if baseline is None else [fn, baseline]
    for _ in range(warmup):
        for call in calls:
            call()
    times: list[list[float]] = [[] for _ in calls]
    for _ in range(repeat):
        for sink, call in zip(times, calls):
            start = clock()
            call()
            sink.append((clock() - start) * 1000)
    medians = [statistics.median(t) for t in times]
    return medians[0], (medians[1] if baseline is not None else None)


@contextmanager
def counting_queries(engine: sa.Engine) -> Iterator[list[str]]:
    """Collect the SQL statements run on ``engine`` inside the block."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def count_queries(engine: sa.Engine, fn: Callable[[], object]) -> int:
    with counting_queries(engine) as statements:
        fn()
    return len(statements)


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine() -> str:
    return f"{platform.machine()}, {cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    if value == int(value) and abs(value) < 1e9:
        return f"{int(value):,}"
    return f"{value:,.2f}"


def print_table(rows: list[dict], *, errors: dict[str, str] | None = None) -> None:
    today = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    print(f"Benchmarks measured on {today} · {machine()}\n")
    print("| benchmark | value | baseline | ratio | target | ok |")
    print("|---|---:|---:|---:|---|:-:|")
    for r in rows:
        unit = f" {r['unit']}" if r.get("unit") else ""
        print(f"| {r['name']} | {_number(r['value'])}{unit} | {_number(r['baseline'])}{unit} | "
              f"{r['ratio']:.2f}× | {r['target']} | {'✅' if r['ok'] else '❌'} |")
    for module, error in (errors or {}).items():
        print(f"| {module} | failed: {error} | | | | ❌ |")
