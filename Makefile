# Two commands for a fresh clone with Python 3.11+ on the PATH:
#   make demo   runs the main job (four days of a marketplace store's tickets, in SQLite)
#   make test   runs the linters, the type checker, the import layers and the whole test suite
# Each creates .venv in the checkout on first use and installs what it needs.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck layers pytest bench bench-peers bench-commands bench-history bench-calendar bench-sla bench-storage bench-outbox bench-reports clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "chamados needs Python 3.11 or newer; set PYTHON=python3.11 (or newer)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"
	$(BIN)/python -m pip install --quiet -e ".[sql]" --group dev
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/chamados demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy --strict src

layers: $(STAMP)
	$(BIN)/lint-imports

pytest: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck layers pytest

BENCH_STAMP := $(VENV)/.bench-installed

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --group bench
	@touch $(BENCH_STAMP)

# Every benchmark (docs/benchmarks.md); the SQL ones read CHAMADOS_TEST_POSTGRES_URL and
# CHAMADOS_TEST_MARIADB_URL. BENCH_ARGS passes options to one of them.
bench: bench-peers bench-commands bench-history bench-calendar bench-sla bench-storage bench-outbox bench-reports

bench-peers: $(BENCH_STAMP)
	$(BIN)/python benchmarks/bench_peers.py $(BENCH_ARGS)

bench-commands: $(STAMP)
	$(BIN)/python benchmarks/bench_commands.py $(BENCH_ARGS)

bench-history: $(STAMP)
	$(BIN)/python benchmarks/bench_history.py $(BENCH_ARGS)

bench-calendar: $(BENCH_STAMP)
	$(BIN)/python benchmarks/bench_calendar.py $(BENCH_ARGS)

bench-sla: $(STAMP)
	$(BIN)/python benchmarks/bench_sla.py $(BENCH_ARGS)

bench-storage: $(STAMP)
	$(BIN)/python benchmarks/bench_storage.py $(BENCH_ARGS)

bench-outbox: $(STAMP)
	$(BIN)/python benchmarks/bench_outbox.py $(BENCH_ARGS)

bench-reports: $(STAMP)
	$(BIN)/python benchmarks/bench_reports.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
