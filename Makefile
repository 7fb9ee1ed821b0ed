# Two commands for a fresh clone: `make run` and `make test`. Everything installs into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUNS ?= runs
PORT ?= 8501

.PHONY: install browser test test-all lint format run analyze-seeds dashboard benchmark clean

install: $(STAMP)

# torch first, pinned: that version is the local CPU build; anything else pulls CUDA wheels.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Debian's Chromium drives the dashboard's end-to-end tests (Playwright cannot download a browser
# here). Installed when missing and apt-get is usable; otherwise those tests skip with a reason.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian chromium for the end-to-end tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	      apt-get install -y -qq chromium chromium-driver >/dev/null \
	      || echo "could not install chromium: end-to-end tests will be skipped"; \
	  else echo "chromium is not installed: end-to-end tests will be skipped"; fi; \
	fi

# Two workers, a test file each at a time (module fixtures are built once; PYTEST_WORKERS=0:
# one process); the `heavy` tests, benchmark scripts' own checks of a minute or more, only in
# test-all. Lint first (a second): a style slip fails CI as a broken test does.
PYTEST_WORKERS ?= 2
test: $(STAMP) browser lint
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) --dist loadfile -m "not heavy"

test-all: $(STAMP) browser lint
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check analysis dashboard experiments tests
	$(BIN)/ruff format --check analysis dashboard experiments tests

format: $(STAMP)
	$(BIN)/ruff format analysis dashboard experiments tests
	$(BIN)/ruff check --fix analysis dashboard experiments tests

# Analyze the three seed articles with the default models, then serve the dashboard.
run: analyze-seeds dashboard

analyze-seeds: $(STAMP)
	$(BIN)/viewpoints analyze seeds --runs-dir $(RUNS) --name seeds

# Ctrl-C (status 130) is how the dashboard is stopped, not an error of make's
dashboard: $(STAMP)
	$(BIN)/viewpoints dashboard --runs-dir $(RUNS) --port $(PORT) || [ $$? -eq 130 ]

benchmark: $(STAMP)
	$(BIN)/python -m experiments.benchmark_throughput

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
