# Two commands for a fresh clone: `make run` and `make test`. Everything installs into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test lint format run benchmark clean

install: $(STAMP)

# torch first, pinned: that version is the local CPU build; anything else pulls CUDA wheels.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check analysis experiments tests
	$(BIN)/ruff format --check analysis experiments tests

format: $(STAMP)
	$(BIN)/ruff format analysis experiments tests
	$(BIN)/ruff check --fix analysis experiments tests

benchmark: $(STAMP)
	$(BIN)/python -m experiments.benchmark_throughput

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
