# Offramp. `make demo` and `make test` are all a new machine needs; `make help` lists the rest.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
OFFRAMP := $(BIN)/offramp
CSS := src/offramp/static/build/offramp.css
DEMO_PEOPLE ?= 5000
DEMO_SEED ?= 2015
PYTEST_ARGS ?=
# Test processes in parallel (pytest-xdist): one per core; PYTEST_WORKERS=0 runs in one.
PYTEST_WORKERS ?= auto

.DEFAULT_GOAL := help
.PHONY: help demo test test-sqlite test-postgres install assets browser serve lint format typecheck synth clean

help: ## List the commands
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed ## Create the virtual environment and install Offramp with its dev tools

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(CSS): node_modules/.installed src/offramp/static_src/offramp.scss
	mkdir -p $(dir $(CSS))
	npx --no-install sass --no-source-map --quiet --load-path=. --style=compressed src/offramp/static_src/offramp.scss $(CSS)

assets: $(CSS) ## Install GOV.UK Frontend, MoJ Frontend and build Offramp's stylesheet

browser: ## Install what the tests need from Debian, if missing: Chromium, poppler-utils, DejaVu fonts
	@scripts/install-test-packages

demo: install assets ## Build the synthetic Hartmoor area and serve it on http://127.0.0.1:8000
	$(OFFRAMP) migrate --verbosity 0
	$(OFFRAMP) demo --people $(DEMO_PEOPLE) --seed $(DEMO_SEED)
	$(OFFRAMP) runserver 127.0.0.1:8000

serve: install assets ## Serve what is already in the database
	$(OFFRAMP) migrate --verbosity 0
	$(OFFRAMP) runserver 127.0.0.1:8000

test: install assets browser ## Run the whole suite on SQLite, then on a throwaway PostgreSQL 15
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite: install assets ## The suite on SQLite only
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

test-postgres: install assets ## The suite on a PostgreSQL cluster started for the run and removed after
	scripts/with-postgres $(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: install ## ruff check, format check and the architecture contracts (import-linter)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports

format: install ## Format the code
	$(BIN)/ruff check --fix src tests benchmarks
	$(BIN)/ruff format src tests benchmarks

typecheck: install ## mypy with the Django plugin
	$(BIN)/mypy

synth: install ## Write partner extracts for a larger area: make synth PEOPLE=100000 OUT=var/synth
	$(OFFRAMP) synth --people $(or $(PEOPLE),100000) --seed $(DEMO_SEED) --out $(or $(OUT),var/synth)

clean: ## Remove the environment, assets and local database
	rm -rf $(VENV) node_modules var src/offramp/static/build
