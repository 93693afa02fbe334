# Gatehouse: `make run` serves the console on SQLite; `make test` runs lint and the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
# npm writes this file on every install: the tests' Node packages (package.json), pinned.
NODE_STAMP := node_modules/.package-lock.json

.PHONY: run test lint format bench soak install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $(STAMP)

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP) $(DEV_STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

install: $(DEV_STAMP) $(NODE_STAMP)

# The issuer and audiences follow the port unless PUBLIC_URL says otherwise.
run: export PUBLIC_URL ?= http://127.0.0.1:$(PORT)

run: $(STAMP)
	$(BIN)/python manage.py bootstrap
	$(BIN)/python manage.py ensure_admin
	@echo "Gatehouse console: $(PUBLIC_URL)/  (JWKS: $(PUBLIC_URL)/.well-known/jwks.json)"
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: $(DEV_STAMP) $(NODE_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(DEV_STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(DEV_STAMP)
	$(BIN)/python tests/bench/bench_token.py
	$(BIN)/python tests/bench/bench_signin.py

# A benchmark, not a test: on PostgreSQL (DATABASE_URL), SOAK_SECONDS (default 600) at 80 % of
# the measured maximum token rate; fails on any error or 10 % worker memory growth.
soak: $(DEV_STAMP)
	$(BIN)/python tests/bench/soak.py

clean:
	rm -rf $(VENV) var node_modules
