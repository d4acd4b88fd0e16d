"""``python -m bench [NAME ...]``: run the benchmark modules (all, or those named, e.g. ``core``),
print one table, exit 1 when a target is missed or a benchmark fails.

A module that has no ``run()`` yet but a ``main()`` (the first standalone scripts) is run through its
``main()``, which prints its own figures; a truthy return value counts as a missed target."""
from __future__ import annotations

import importlib
import pkgutil
import sys
import traceback

import bench


def modules(selected: list[str]) -> list[str]:
    names = sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.endswith("_bench"))
    if selected:
        wanted = {s.removesuffix("_bench") for s in selected}
        names = [n for n in names if n.removesuffix("_bench") in wanted]
    return names


def run_standalone(module) -> object:
    """A script's ``main()`` with its defaults: it sees no command-line arguments of ours."""
    saved, sys.argv = sys.argv, [module.__name__]
    try:
        return module.main()
    finally:
        sys.argv = saved


def main(argv: list[str]) -> int:
    rows: list[dict] = []
    errors: dict[str, str] = {}
    for name in modules(argv):
        module = importlib.import_module(f"bench.{name}")
        print(f"running bench.{name} ...", file=sys.stderr)
        try:
            if callable(getattr(module, "run", None)):
                rows.extend(module.run())
            elif callable(getattr(module, "main", None)):
                print(f"== bench.{name} (standalone: its own output, not in the table)")
                if run_standalone(module):
                    errors[name] = "missed its target (see its output above)"
            else:
                errors[name] = "defines neither run() nor main()"
        except Exception as exc:  # noqa: BLE001 - one broken benchmark must not hide the others
            traceback.print_exc()
            errors[name] = f"{type(exc).__name__}: {exc}"
    if not rows and not errors:
        print("no benchmark found", file=sys.stderr)
        return 1
    bench.print_table(rows, errors=errors)
    return 0 if rows and all(r["ok"] for r in rows) and not errors else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
