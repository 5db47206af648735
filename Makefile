# Balie — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint setup setup-test translations database admin mail system-packages bench clean

# Links in mail, on the command line and on advice cards use BALIE_PUBLIC_BASE_URL. For what make
# runs here it is the address `make run` serves on (make run PORT=5101 → http://127.0.0.1:5101),
# unless it is set already (an address a phone on your network can reach, say). Never exported
# to `make test`: the tests set their own.
run database admin mail: export BALIE_PUBLIC_BASE_URL ?= http://$(HOST):$(PORT)

## make run: install everything and serve the desk at http://127.0.0.1:5000 (SQLite, demo data); PORT=… HOST=… to move it
run: setup database
	@echo "Balie runs at http://$(HOST):$(PORT)  (stop with Ctrl-C); links in mail and on advice cards: $$BALIE_PUBLIC_BASE_URL"
	$(FLASK) run --host $(HOST) --port $(PORT)

## make test: install everything the tests need (Chromium, PostgreSQL, nginx, Redis …) and run the whole suite
## two pytest workers (this is a 2-core machine): tests that share the production stack run on one
TEST_WORKERS ?= 2
test: setup-test system-packages lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

## make lint: the code's habits, as CI checks them: ruff's rules, ruff's format, mypy on balie/
lint: setup-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

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

## schema, reference data, sociale kaart and search index in instance/; the first time also two years of
## made-up registrations for the monitor (flask demo monitor adds nothing once the desk holds registrations)
database: setup
	$(FLASK) init
	$(FLASK) demo monitor

## make admin EMAIL=you@example.org NAME="Your Name": a one-time link for the first administrator
## (give the same PORT and HOST as to make run, so the link opens the desk you serve)
admin: setup
	$(FLASK) users create-admin --email "$(EMAIL)" --name "$(NAME)"

## make mail: deliver the mail that waits (to instance/mail/ as .eml files without an SMTP host)
mail: setup
	$(FLASK) outbox send

## Debian packages the tests use, installed only when missing (one apt-get for all):
## Chromium (browser tests, never a downloaded browser), the PostgreSQL server, nginx with TLS,
## redis-server, systemd-analyze (checks deploy/*.service), envsubst (deploy/render-nginx), openssl
SYSTEM_PACKAGES := chromium:/usr/bin/chromium postgresql:/usr/lib/postgresql nginx-light:/usr/sbin/nginx \
	redis-server:/usr/bin/redis-server systemd:/usr/bin/systemd-analyze gettext-base:/usr/bin/envsubst \
	openssl:/usr/bin/openssl
system-packages:
	@missing=""; for item in $(SYSTEM_PACKAGES); do [ -e "$${item#*:}" ] || missing="$$missing $${item%%:*}"; done; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi

## benchmarks: print figures (not part of the test suite)
bench: setup-test
	$(BIN)/python bench/registration.py
	$(BIN)/python bench/search.py
	$(BIN)/python bench/monitor.py

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	find translations -name '*.mo' -delete
