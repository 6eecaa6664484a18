# ketacare: two commands on a fresh machine with Python 3.11+ and make.
#   make run   — install, migrate, load the demo clinic into an empty database, serve on :8000
#   make test  — install dev tools, lint (ruff), type-check (mypy), run the whole test suite
SHELL := /bin/bash
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	&& { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
APP_STAMP := $(VENV)/.app-installed
DEV_STAMP := $(VENV)/.dev-installed
PYTEST_ARGS ?=

.PHONY: run test lint typecheck pytest install install-dev browser clean docs migration

run: $(APP_STAMP)
	$(BIN)/ketacare serve --prepare

test: $(DEV_STAMP) browser lint typecheck pytest

$(VENV)/bin/python:
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is needed (python3.11+ not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(APP_STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(DEV_STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@ $(APP_STAMP)

install: $(APP_STAMP)
install-dev: $(DEV_STAMP)

# Browser tests drive Debian's chromium (never a tool's own browser download).
browser:
	@bash scripts/ensure-chromium

lint: $(DEV_STAMP)
	$(BIN)/ruff check src tests migrations benchmarks scripts
	$(BIN)/ruff format --check src tests migrations benchmarks scripts

typecheck: $(DEV_STAMP)
	$(BIN)/mypy src/ketacare

pytest: $(DEV_STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

docs: $(DEV_STAMP)
	$(BIN)/ketacare docs rules

# make migration m="what changed" — autogenerate a revision from the models
migration: $(DEV_STAMP)
	$(BIN)/python scripts/new_migration.py "$(m)"

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
