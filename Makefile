# Cầu Nối: `make run` and `make test` work from a fresh clone (Debian 12, Python 3.11).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
HOST ?= 127.0.0.1
export FLASK_APP := wsgi.py
PKGS := app surveys dialogues community

.PHONY: run test db translations extract bench e2e clean sysdeps

# System libraries: Pango for WeasyPrint, poppler-utils for the PDF checks in the tests.
# Installed with apt-get when we are root on Debian; otherwise we say what is missing.
SYSDEPS := libpango-1.0-0 libpangoft2-1.0-0 poppler-utils libicu-dev pkg-config g++
sysdeps:
	@missing=""; for p in $(SYSDEPS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing:$$missing"; (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "missing system packages:$$missing (sudo apt-get install$$missing)"; exit 1; fi; \
	fi

$(BIN)/.installed: requirements.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

# Message catalogues are compiled on every build; .mo files are not kept in git.
translations: $(BIN)/.installed
	@for p in $(PKGS); do \
	  if [ -d $$p/translations ]; then $(BIN)/pybabel -q compile -f -d $$p/translations || exit 1; fi; \
	done

db: translations
	$(BIN)/flask db upgrade

# The job worker (heavy documents, app/jobs.py) runs beside the web server and stops with it.
# PUBLIC_URL: the address printed under the minutes' QR code; on this machine, the one served here.
run: export PUBLIC_URL ?= http://$(HOST):$(PORT)
run: sysdeps db
	$(BIN)/flask demo load --if-empty
	$(BIN)/flask jobs worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask run --host $(HOST) --port $(PORT)

# The suite runs in parallel (pytest-xdist), one worker per CPU, each on its own database
# (tests/conftest.py); TEST_WORKERS=0 runs it in this one process.
TEST_WORKERS ?= auto
test: sysdeps translations
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

# Refresh the English catalogues after adding strings (Vietnamese is the source language).
extract: $(BIN)/.installed
	@for p in $(PKGS); do \
	  mkdir -p $$p/translations; \
	  if [ $$p = app ]; then tpl="templates/base.html templates/_macros templates/auth templates/core templates/admin templates/errors templates/pdf templates/indicators templates/api"; else tpl=templates/$$p; fi; \
	  $(BIN)/pybabel -q extract -F babel.cfg -k _l -o $$p/translations/messages.pot $$p $$(ls -d $$tpl 2>/dev/null) || exit 1; \
	  if [ -f $$p/translations/en/LC_MESSAGES/messages.po ]; then \
	    $(BIN)/pybabel -q update --no-fuzzy-matching -i $$p/translations/messages.pot -d $$p/translations; \
	  else $(BIN)/pybabel -q init -i $$p/translations/messages.pot -d $$p/translations -l en; fi; \
	done

bench: translations
	$(BIN)/python -m bench

# Browser tests (Playwright driving Debian's Chromium: apt-get install chromium); not part of `make test`.
e2e: translations
	$(BIN)/python -m pytest -q -m e2e tests/e2e $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache
