# Quick start: `make run` (whole job on the real file or the embedded default data), `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
DBT := cd dbt_project && ../$(BIN)/dbt

.PHONY: run test test-fast install lint build train score report bench clean docs

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python -m ml run

# everything (dbt builds, training, the end-to-end run, the browser tests): ~15 min on 2 cores
test: $(STAMP)
	$(BIN)/python -m pytest -q

# the edit loop: no dbt build, no training, no subprocess job, no browser (tests marked slow)
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check ml scripts tests
	$(BIN)/ruff format --check ml scripts tests
	WAREHOUSE_PATH=$(CURDIR)/data/lint.duckdb $(BIN)/sqlfluff lint dbt_project/models

build: $(STAMP)
	$(BIN)/python -m ml build

train: $(STAMP)
	$(BIN)/python -m ml train

report: $(STAMP)
	$(BIN)/python -m ml report

# make score INPUT=new_tracks.csv OUTPUT=scores.csv: needs Artist, Track and the audio columns
# (found by header name); writes OUTPUT and OUTPUT.drift.json (the output folder must exist).
score: $(STAMP)
	@test -n "$(INPUT)" -a -n "$(OUTPUT)" || { echo "usage: make score INPUT=new.csv OUTPUT=scores.csv (see: python -m ml score --help)"; exit 2; }
	$(BIN)/python -m ml score --input "$(INPUT)" --output "$(OUTPUT)"

docs: $(STAMP)
	$(DBT) docs generate --profiles-dir .. --static
	@echo "docs: dbt_project/target/static_index.html (one file, offline) or: cd dbt_project && ../$(BIN)/dbt docs serve --profiles-dir .."

# make bench [ROWS=1000000] [ARGS="--skip-ml --repeat 3 --make-run --real-size"]: DuckDB SQL layer
# vs a pandas peer, ML timings, the whole job on N rows / at real size, issue 15's targets
ROWS ?= 1000000
bench: $(STAMP)
	$(BIN)/python scripts/bench.py --rows $(ROWS) $(ARGS)

clean:
	rm -rf dbt_project/target dbt_project/logs data/warehouse.duckdb data/warehouse.duckdb.wal data/models
