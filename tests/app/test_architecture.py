"""The architecture is a test: import-linter (on grimp's import graph) checks the contracts of
.importlinter: the core (app) imports no feature, the features do not import each other, and no
package has an import cycle among its modules. Every configured feature (FEATURES in
app/config.py) must be under those contracts, so a new one cannot slip past them."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from importlinter.api import read_configuration

from app.config import FEATURES

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / ".importlinter"


def _contract(contract_id: str) -> dict:
    contracts = read_configuration(str(CONFIG))["contracts_options"]
    return next(c for c in contracts if c["id"] == contract_id)


def test_every_feature_is_under_the_contracts():
    session = read_configuration(str(CONFIG))["session_options"]
    assert set(session["root_packages"]) == {"app", *FEATURES}
    assert _contract("core-imports-no-feature")["source_modules"] == ["app"]
    assert set(_contract("core-imports-no-feature")["forbidden_modules"]) == set(FEATURES)
    assert set(_contract("features-independent")["modules"]) == set(FEATURES)
    assert set(_contract("no-cycles")["ancestors"]) == {"app", *FEATURES}
    assert _contract("no-cycles")["type"] == "acyclic_siblings"


def test_the_import_contracts_are_kept():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint_imports), "--config", str(CONFIG), "--no-cache"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken." in result.stdout


def test_today_is_the_local_date_everywhere():
    """Meeting days and deadlines are Vietnam's calendar (app/clock.py). ``date.today()`` is the
    server's: on a UTC host it is yesterday from 00:00 to 07:00 Vietnam time, so code or a test
    that uses it disagrees with the app for seven hours a day (a CI run at 17:00 UTC failed so)."""
    needle = "date." + "today()"  # spelled apart so this test does not find itself
    offenders = [f"{path.relative_to(ROOT)}:{number}"
                 for package in ("app", *FEATURES, "tests", "bench")
                 for path in (ROOT / package).rglob("*.py")
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if needle in line and f"``{needle}``" not in line]
    assert offenders == []
