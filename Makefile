# OGP Implementation Monitor: `make run` serves the dashboard, `make test` runs every check CI runs.
# Both set up what they need first: .venv with the pinned requirements, and for tests Debian's Chromium.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.requirements.stamp
PIP := $(BIN)/python -m pip --disable-pip-version-check --no-input
# uv installs the pinned requirements in about 8 s where pip takes about 60 s (measured on a fresh venv).
UV_VERSION := 0.13.9
UV := $(BIN)/uv
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install run db test lint format browsers bench loadtest clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

install: $(STAMP) ## Create .venv and install the pinned requirements (again only when they change)

# Re-syncs an existing .venv; recreates it when missing or when its Python no longer runs. pip installs only uv
# (pinned), uv installs the rest.
$(STAMP): requirements.txt requirements-dev.txt
	@$(BIN)/python -c '' 2>/dev/null || { rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
	@$(UV) --version 2>/dev/null | grep -qE '^uv $(UV_VERSION)( |$$)' || $(PIP) install --quiet uv==$(UV_VERSION)
	$(UV) pip install --quiet --compile-bytecode --python $(BIN)/python -r requirements-dev.txt
	$(UV) pip check --python $(BIN)/python
	@touch $@

db: install ## Migrate the database (DATABASE_URL, default instance/ogp.sqlite); seed the sample data if empty
	$(BIN)/python -m dashboard init-db
	$(BIN)/python -m dashboard seed-sample --if-empty

run: db browsers ## Serve the dashboard on http://127.0.0.1:8050 (Chromium prints the PDF briefings)
	$(BIN)/python -m dashboard run

browsers: ## Install Debian's chromium and chromium-driver when missing
	@bash scripts/ensure_chromium.sh

lint: install ## Check formatting, lint rules (ruff), import contracts (import-linter) and types (mypy)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy dashboard data_access

format: install ## Reformat and apply safe lint fixes (ruff)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Uses PostgreSQL and Redis when they answer on 127.0.0.1 (see scripts/test_services.sh).
# Everything but the browser tests runs on every core (pytest-xdist, TEST_WORKERS) while the real-browser tests
# run beside it, one at a time, in a second pytest (they mostly wait on Chromium, so they cost little CPU); the
# browser run's output is printed after the other's. Fails when either fails; a run that selects no test (exit 5)
# counts as passed only when the other one ran tests.
TEST_WORKERS ?= auto
test: install browsers lint ## Lint, then the whole pytest suite: unit, callbacks, security in parallel beside real browser
	@eval "$$(bash scripts/test_services.sh)"; \
	echo "TEST_DATABASE_URL=$${TEST_DATABASE_URL:-<unset: SQLite only>} TEST_REDIS_URL=$${TEST_REDIS_URL:-<unset>}"; \
	browser_log=$$(mktemp); \
	$(BIN)/python -m pytest -m browser -p no:cacheprovider $(PYTEST_ARGS) > $$browser_log 2>&1 & browser_pid=$$!; \
	$(BIN)/python -m pytest -n $(TEST_WORKERS) -m "not browser" $(PYTEST_ARGS); parallel=$$?; \
	wait $$browser_pid; browser=$$?; \
	echo "--- real-browser tests (ran beside the others) ---"; cat $$browser_log; rm -f $$browser_log; \
	echo "pytest exit status: $$parallel (parallel, not browser), $$browser (browser)"; \
	case "$$parallel:$$browser" in 0:0|0:5|5:0) exit 0;; *) exit 1;; esac

# Fixed requests and BENCH_RANDOM requests per callback with random filters (0: fixed only).
BENCH_ARGS ?=
BENCH_RANDOM ?= 20
bench: install browsers ## Benchmark scales 1, 10, 100 under gunicorn; writes bench/RESULTS.md (BENCH_ARGS=...)
	@eval "$$(bash scripts/test_services.sh)"; \
	$(BIN)/python scripts/bench.py --random-filters $(BENCH_RANDOM) $${TEST_REDIS_URL:+--redis-url $$TEST_REDIS_URL} $(BENCH_ARGS)

LOADTEST_ARGS ?=
loadtest: install ## 50 users, random pages and filters, 60 s, gunicorn, scale 1; fails on any error or p95 > 1 s
	$(BIN)/python scripts/loadtest.py $(LOADTEST_ARGS)

clean: ## Remove caches (keeps .venv and the database)
	rm -rf .pytest_cache .ruff_cache .mypy_cache .import_linter_cache
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +
