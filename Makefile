# Two commands set everything up on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMPS := .stamps
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-dates setup assets messages messages-update lint check-deploy clean

$(PY):
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 12) else "Samspill needs Python 3.12 (see .python-version)")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMPS)/python: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@mkdir -p $(STAMPS) && touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

$(STAMPS)/assets: node_modules/.package-lock.json scripts/copy_assets.py
	$(PY) scripts/copy_assets.py
	@mkdir -p $(STAMPS) && touch $@

assets: $(STAMPS)/python $(STAMPS)/assets

messages: $(STAMPS)/python
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0

messages-update: $(STAMPS)/python
	$(PY) manage.py makemessages -l nb -l nn --no-obsolete --ignore=.venv --ignore=node_modules \
		--ignore=static --ignore=staticfiles

setup: assets messages

run: setup
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver $(HOST):$(PORT)

lint: $(STAMPS)/python
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

# Two workers (pytest-xdist), one per core; WORKERS=0 runs in one process.
WORKERS ?= 2

test: setup lint
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest -n $(WORKERS) $(PYTEST_ARGS)

# The suite (browser tests left out) with the clock started, demo included,
# at the moments where calendars break: 23:30 in Oslo on New Year's Eve, a
# leap day, 02:30 in Oslo before the autumn clock change (the first of two),
# and 00:30 in Oslo on New Year's Day, while UTC is still in the old year
# (a date taken in UTC instead of Oslo time is a day and a year off).
TEST_DATES ?= 2026-12-31T22:30:00+00:00 2028-02-29T11:00:00+00:00 2026-10-25T00:30:00+00:00 \
	2026-12-31T23:30:00+00:00

# Two moments run side by side (each its own process, its own in-memory test
# database and temporary folder: two processes for the two cores); each one's
# output is printed after, and any failure fails the target.
test-dates: setup
	@logs=$$(mktemp -d); status=0; pids=""; running=0; \
	for moment in $(TEST_DATES); do \
		SAMSPILL_TEST_CLOCK=$$moment $(PY) -m pytest -m "not browser" $(PYTEST_ARGS) \
			> "$$logs/$$moment.log" 2>&1 & pids="$$pids $$!"; running=$$((running + 1)); \
		if [ $$running -eq 2 ]; then \
			for pid in $$pids; do wait $$pid || status=1; done; pids=""; running=0; \
		fi; \
	done; \
	for pid in $$pids; do wait $$pid || status=1; done; \
	for moment in $(TEST_DATES); do \
		echo "== pytest with the clock at $$moment"; cat "$$logs/$$moment.log"; \
	done; \
	rm -rf "$$logs"; exit $$status

check-deploy: setup
	SAMSPILL_PRODUCTION=true \
	SAMSPILL_SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	SAMSPILL_ALLOWED_HOSTS=samspill.example.no SAMSPILL_EMAIL_HOST=smtp.example.no \
	$(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) node_modules static/vendor staticfiles $(STAMPS)
