# Balie — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test setup setup-test translations database browser postgres-binaries bench clean

## make run: install everything and serve the desk at http://127.0.0.1:5000 (SQLite, demo data)
run: setup database
	@echo "Balie runs at http://$(HOST):$(PORT)  (stop with Ctrl-C)"
	$(FLASK) run --host $(HOST) --port $(PORT)

## make test: install everything the tests need (Chromium, PostgreSQL) and run the whole suite
test: setup-test browser postgres-binaries
	$(BIN)/python -m pytest $(PYTEST_ARGS)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.test: requirements.txt requirements-test.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-test.txt
	touch $(VENV)/.runtime $@

setup: $(VENV)/.runtime translations
setup-test: $(VENV)/.test translations

## compile the gettext catalogues (.po → .mo); nothing compiled is committed
translations: $(VENV)/.runtime
	$(BIN)/pybabel -q compile -d translations

## schema, reference data, sociale kaart and search index in instance/
database: setup
	$(FLASK) init

## Debian's Chromium for the browser tests (never a downloaded browser)
browser:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium >/dev/null; }

## PostgreSQL server binaries for the throwaway test server (the tests start and stop it)
postgres-binaries:
	@ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq postgresql >/dev/null; }

## benchmarks: print figures (not part of the test suite)
bench: setup-test
	$(BIN)/python bench/registration.py
	$(BIN)/python bench/search.py

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	find translations -name '*.mo' -delete
