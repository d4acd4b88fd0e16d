"""``python -m bench`` (``make bench``): run every ``bench/*_bench.py`` and fail if one misses its target."""
import importlib
import pkgutil
import sys
from pathlib import Path

failed = 0
for module in sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if m.name.endswith("_bench")):
    print(f"== {module}")
    failed += bool(importlib.import_module(f"bench.{module}").main())
sys.exit(1 if failed else 0)
