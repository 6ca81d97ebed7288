# Two commands for a newcomer:
#   make run   — set everything up on a bare machine and serve the portal on http://127.0.0.1:8000
#   make test  — set up what the tests need and run lint and the whole suite
# Everything is installed into the project folder (.venv, node_modules) from pinned files.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup venv node system browser lint migrate seed messages clean

venv: $(VENV)/.installed
$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

node: node_modules/.installed
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

setup: venv node system

migrate: setup
	DEBUG=1 $(BIN)/python manage.py migrate --noinput

seed: migrate
	DEBUG=1 $(BIN)/python manage.py seed_demo

run: seed
	@echo "Sanhui portal: http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

# System packages from Debian: Pango and the Noto CJK fonts that PDF reports embed, and
# Chromium for the browser tests (never a browser download of Playwright's own).
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk
system:
	@if ! ldconfig -p | grep -q libpangoft2 || [ ! -d /usr/share/fonts/opentype/noto ]; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES); \
	  else \
	    echo "Install $(SYSTEM_PACKAGES) (Debian/Ubuntu) for PDF reports."; \
	  fi; \
	fi

browser: system
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else \
	    echo "Chromium is not installed (apt-get install chromium); browser tests will be skipped outside CI."; \
	  fi; \
	fi

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: setup browser lint
	DEBUG=1 $(BIN)/python -m pytest $(PYTEST_ARGS)

# Recompile the English catalogue after editing locale/en/LC_MESSAGES/django.po.
messages: venv
	DEBUG=1 $(BIN)/python manage.py makemessages -l en --no-obsolete --ignore=node_modules --ignore=.venv
	DEBUG=1 $(BIN)/python manage.py compilemessages -l en

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3 .pytest_cache .ruff_cache
