# Quartier: `make run` sets everything up and serves the demo at http://127.0.0.1:8000;
# `make test` runs the whole suite on SQLite and on PostgreSQL (browser tests included).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
QUARTIER := $(VENV)/bin/quartier
STAMP := $(VENV)/.installed
PYTEST_ARGS ?= -n 2
# The Makefile runs the platform locally over plain HTTP; production sets its own environment.
export HTTPS ?= 0

.PHONY: run setup test test-sqlite test-postgres lint messages clean

run: setup
	$(QUARTIER) migrate --noinput
	$(QUARTIER) setup-demo
	scripts/run-local.sh

setup: $(STAMP) messages

$(STAMP): requirements.txt pyproject.toml
	scripts/system-deps.sh run
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

messages: $(STAMP)
	cd quartier && ../$(QUARTIER) compilemessages --ignore '.venv' -v0

test: setup
	scripts/system-deps.sh test
	$(MAKE) test-sqlite
	$(MAKE) test-postgres

test-sqlite:
	$(PY) -m pytest $(PYTEST_ARGS)

test-postgres:
	scripts/postgres.sh start
	DB=postgres DB_PORT=54329 DB_USER=quartier DB_NAME=quartier $(PY) -m pytest $(PYTEST_ARGS)

lint:
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) var
