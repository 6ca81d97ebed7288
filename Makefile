# Two commands for a newcomer:
#   make run   — set everything up on a bare machine and serve the portal on http://127.0.0.1:8000
#   make test  — set up what the tests need and run lint and the whole suite
# Everything is installed into the project folder (.venv, node_modules) from pinned files.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-calendar setup venv node system browser lint migrate seed messages clean mutate \
  backup restore loadtest

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
	DEBUG=1 SANHUI_ADDRESS=http://$(HOST):$(PORT)/ $(BIN)/python manage.py seed_demo

run: seed
	@echo "Sanhui portal: http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

# System packages from Debian: Pango and the Noto CJK fonts that PDF reports embed, HarfBuzz's
# subsetter (without it WeasyPrint subsets the CJK fonts in Python: 15 s a report instead of 2),
# and Chromium for the browser tests (never a browser download of Playwright's own).
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk
system:
	@if ! ldconfig -p | grep -q libpangoft2 || ! ldconfig -p | grep -q libharfbuzz-subset \
	    || [ ! -d /usr/share/fonts/opentype/noto ]; then \
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

# TODAY moves the clock for the whole run (Asia/Shanghai), e.g. make test TODAY=2028-02-29T23:30.
# The suite runs in TEST_JOBS processes (pytest-xdist; each has its own test database, and its
# own key prefix on the test Redis): make test TEST_JOBS=1 for one.
TEST_JOBS ?= 2
test: setup browser lint
	DEBUG=1 $(BIN)/python -m pytest -n $(TEST_JOBS) $(if $(TODAY),--today $(TODAY)) $(PYTEST_ARGS)

# The date-sensitive tests (marked "calendar") with the clock at the calendar's edges: quarter
# ends, 31 December and 1 January, 29 February, either side of 16:00 UTC (midnight in Shanghai).
EDGE_MOMENTS := 2027-03-31T23:50 2027-04-01T00:00:30 2027-06-30T12:00 2027-09-30T23:50 \
  2027-12-31T23:50 2028-01-01T00:00:30 2028-02-29T00:00:30 2028-02-29T23:50
test-calendar: setup browser
	@failed=""; for moment in $(EDGE_MOMENTS); do \
	  echo "== date-sensitive tests at $$moment (Asia/Shanghai)"; \
	  DEBUG=1 $(BIN)/python -m pytest -m calendar --today $$moment -q -n $(TEST_JOBS) $(PYTEST_ARGS) || failed="$$failed $$moment"; \
	done; \
	if [ -n "$$failed" ]; then echo "== date-sensitive tests failed at:$$failed"; exit 1; fi

# Mutation testing of the scoping rules, the indicators and the report builder (docs/mutation.md);
# not part of make test. mutmut works on a copy of the project in .mutation/ (hidden, so that
# make messages never reads the mutated sources, and safe from edits made during a long run);
# it keeps its verdicts in .mutation/mutants/ and tests again only the functions that changed
# (rm -rf .mutation for a run from scratch). It runs at low priority, MUTATE_JOBS at a time.
MUTATE_JOBS ?= 2
MUTATION_DIR := .mutation
MUTATION_COPY := organizations services outreach rollout sanhui tests templates locale pyproject.toml
mutate: setup
	mkdir -p $(MUTATION_DIR)
	cd $(MUTATION_DIR) && rm -rf $(MUTATION_COPY)
	cp -a $(MUTATION_COPY) $(MUTATION_DIR)/
	cd $(MUTATION_DIR) && DEBUG=1 nice -n 10 $(CURDIR)/$(BIN)/mutmut run --max-children $(MUTATE_JOBS)
	cd $(MUTATION_DIR) && $(CURDIR)/$(BIN)/python -c "$$MUTATION_SCORE"

# The score per module: killed and timed-out mutants over all mutants.
define MUTATION_SCORE
import collections, json, pathlib
from mutmut.stats import status_by_exit_code
counts = {}
for meta in sorted(pathlib.Path("mutants").rglob("*.py.meta")):
    codes = json.loads(meta.read_text())["exit_code_by_key"].values()
    if codes:
        counts[str(meta.relative_to("mutants"))[:-5]] = collections.Counter(status_by_exit_code[c] for c in codes)
counts["all"] = sum(counts.values(), collections.Counter())
print(f"{'module':34} {'mutants':>7} {'killed':>6} {'timeout':>7} {'survived':>8} {'no tests':>8} {'score':>6}")
for module, c in counts.items():
    total = sum(c.values())
    caught = c["killed"] + c["timeout"]
    print(f"{module:34} {total:7} {c['killed']:6} {c['timeout']:7} {c['survived']:8} {c['no tests']:8} {caught / total:6.1%}")
endef
export MUTATION_SCORE

# Backup and restore of the database and the uploaded files (organizations/backup), run
# with the portal's own environment (DATABASE_URL, MEDIA_ROOT, SECRET_KEY or DEBUG=1):
#   make backup [OUTPUT=folder-or-file]   — writes sanhui-backup-<yyyymmdd-hhmmss>.tar.gz
#   make restore FILE=sanhui-backup-….tar.gz [FORCE=1]   — FORCE=1 overwrites a database that is not empty
backup:
	$(BIN)/python manage.py backup $(if $(OUTPUT),--output "$(OUTPUT)")

restore:
	@test -n "$(FILE)" || { echo "usage: make restore FILE=sanhui-backup-….tar.gz [FORCE=1]"; exit 2; }
	$(BIN)/python manage.py restore "$(FILE)" $(if $(FORCE),--force)

# Load test (scripts/loadtest.py): gunicorn with 4 workers, DEBUG off, on the PostgreSQL database
# of DATABASE_URL (the demo district: seed_demo) and Redis; locust with USERS users for DURATION
# seconds over the portal, then over /healthz; fails when any request failed.
#   DATABASE_URL=postgres://…/sanhui_demo make loadtest [USERS=50] [DURATION=120]
USERS ?= 50
DURATION ?= 120
loadtest: venv
	$(BIN)/python scripts/loadtest.py --users $(USERS) --duration $(DURATION)

# Recompile the English catalogue after editing locale/en/LC_MESSAGES/django.po.
messages: venv
	DEBUG=1 $(BIN)/python manage.py makemessages -l en --no-obsolete --ignore=node_modules --ignore=.venv
	DEBUG=1 $(BIN)/python manage.py compilemessages -l en

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3 .pytest_cache .ruff_cache
