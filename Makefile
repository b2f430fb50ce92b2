# Mentor Minutes — `make run` (console demo, or `serve` when Slack tokens are set) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_DIR := $(CURDIR)/.pg
DEMO_DATABASE_URL ?= sqlite:///$(CURDIR)/mentor_minutes_demo.db
DEMO_NOW ?= 2026-11-18T10:00:00-05:00
PYTEST_ARGS ?= -n 2

.PHONY: run console test lint bench postgres clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $@

# With SLACK_BOT_TOKEN (environment or .env): migrate and serve. Without: the console on the demo.
run: $(STAMP)
	@if [ -n "$$SLACK_BOT_TOKEN" ] || grep -qsE '^SLACK_BOT_TOKEN=.+' .env; then \
		$(BIN)/mentor-minutes db upgrade && exec $(BIN)/mentor-minutes serve; \
	else \
		DATABASE_URL="$(DEMO_DATABASE_URL)" MENTOR_MINUTES_NOW="$${MENTOR_MINUTES_NOW:-$(DEMO_NOW)}" \
			$(BIN)/mentor-minutes console --demo; \
	fi

# The console on the demo district, Slack tokens or not; a script on stdin runs too:
# `printf '/hours\n' | make -s console`. `mentor-minutes demo --reset` starts the demo afresh.
console: $(STAMP)
	@DATABASE_URL="$(DEMO_DATABASE_URL)" MENTOR_MINUTES_NOW="$${MENTOR_MINUTES_NOW:-$(DEMO_NOW)}" \
		$(BIN)/mentor-minutes console --demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# PostgreSQL's server binaries (Debian's package) when they are missing.
postgres: $(STAMP)
	@$(BIN)/python tests/pg_cluster.py bin >/dev/null 2>&1 || { \
		echo "Installing PostgreSQL (Debian package)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	}

# The whole suite on SQLite and on a throwaway PostgreSQL cluster started (and stopped) here.
test: lint postgres
	@set -e; \
	$(BIN)/python tests/pg_cluster.py stop "$(PG_DIR)" >/dev/null 2>&1 || true; \
	url=$$($(BIN)/python tests/pg_cluster.py start "$(PG_DIR)"); \
	trap '$(BIN)/python tests/pg_cluster.py stop "$(PG_DIR)"' EXIT; \
	MM_TEST_PG_URL="$$url" $(BIN)/python -m pytest $(PYTEST_ARGS)

# Both benchmarks on SQLite and on a throwaway PostgreSQL cluster (started and stopped here),
# into bench/results/latest.json; a failure of either fails the target once both have run.
bench: postgres
	@set -e; \
	$(BIN)/python tests/pg_cluster.py stop "$(PG_DIR)-bench" >/dev/null 2>&1 || true; \
	url=$$($(BIN)/python tests/pg_cluster.py start "$(PG_DIR)-bench"); \
	trap '$(BIN)/python tests/pg_cluster.py stop "$(PG_DIR)-bench"' EXIT; \
	export MM_BENCH_PG_URL="$$url"; status=0; \
	$(BIN)/python -m bench.scheduler --json bench/results/latest.json || status=$$?; \
	$(BIN)/python -m bench || status=$$?; \
	exit $$status

clean:
	rm -rf $(VENV) .pg .pg-bench .pytest_cache .ruff_cache .hypothesis mentor_minutes_demo.db*
