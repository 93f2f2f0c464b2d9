# DateSpark: `make run` serves the app, `make test` runs the whole suite.
# Both create .venv and install the pinned dependencies first.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# The machine's own PostgreSQL, for `make test-external` (CI runs both).
EXTERNAL_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/postgres

.PHONY: run test test-external test-pooled lint e2e-browser pooler cluster cluster-tools bench bench-inprocess bench-compare bench-analytics bench-tool lock clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)."; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: $(BIN)/python requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.lock
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	@touch $@

run: $(VENV)/.runtime
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo "DateSpark on http://127.0.0.1:$(PORT)  (Ctrl-C stops the app and its embedded database)"
	PORT=$(PORT) exec $(BIN)/python -m datespark.serve

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run --verbosity 0

# Headless Chromium for the browser tests: Debian's package, installed when we can.
e2e-browser:
	@if command -v chromium >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's chromium for the browser tests..."; \
		(apt-get install -y -q chromium >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null)) \
		|| echo "!!! Could not install chromium: the browser tests will be SKIPPED."; \
	else echo "!!! chromium is not installed and cannot be installed here: the browser tests will be SKIPPED."; fi

# A Debian package the tests or the topology need, installed when we can (root with apt-get).
# $(1): the program, $(2): what it is for, $(3): what happens without it.
define debian_package
	@if command -v $(1) >/dev/null || [ -x /usr/sbin/$(1) ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's $(1) $(2)..."; \
		(apt-get install -y -q $(1) >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q $(1) >/dev/null)) \
		|| echo "!!! Could not install $(1): $(3)"; \
	else echo "!!! $(1) is not installed and cannot be installed here: $(3)"; fi
endef

# PgBouncer for the pooled tests (tests/ops/test_pooler.py, make test-pooled) and the cluster.
pooler:
	$(call debian_package,pgbouncer,for the pooled tests,the pooled tests will be SKIPPED (FAIL under CI=true).)

# nginx and PgBouncer for `make cluster` and its test (tests/ops/test_cluster.py).
cluster-tools: pooler
	$(call debian_package,nginx,for the cluster,the cluster test will be SKIPPED (FAIL under CI=true).)

test: $(VENV)/.dev e2e-browser cluster-tools lint
	$(BIN)/pytest
	$(BIN)/python -m tests.security_report

# The database tests against an external PostgreSQL server (the machine's own by default).
test-external: $(VENV)/.dev pooler
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(EXTERNAL_DATABASE_URL)', connect_timeout=3).close()" 2>/dev/null; then \
		DATABASE_URL=$(EXTERNAL_DATABASE_URL) $(BIN)/pytest -m "not e2e and not topology"; \
	else echo "!!! No PostgreSQL at $(EXTERNAL_DATABASE_URL): external-database tests not run."; exit 1; fi

# The production topology on this machine (deploy/cluster.py): nginx round-robin over two app
# instances from their own folders, PgBouncer in transaction mode, PostgreSQL (embedded, or
# DATABASE_URL) and an S3-API object store. A throwaway cluster in .cluster/; Ctrl-C stops it all.
CLUSTER_PORT ?= 8080
cluster: $(VENV)/.dev cluster-tools
	exec $(BIN)/python -m deploy.cluster --port $(CLUSTER_PORT) $(CLUSTER_ARGS)

# The tests that matter for pooling (API, concurrency, migrations, release, storage, faults), through PgBouncer in
# transaction mode in front of the embedded PostgreSQL (so not a direct connection: nothing prepared); the test
# database is created and dropped directly.
test-pooled: $(VENV)/.dev pooler
	DATESPARK_POOLED=1 DATESPARK_DIRECT_DATABASE=0 $(BIN)/pytest -m pooled

# The load benchmark (wrk from Debian) against its fixed yardsticks (R1: plain Django; R2: a mark's
# SQL in pgbench): 40 users served directly and through PgBouncer, then 100,000 users with 1,000,000
# completions; results into docs/PERFORMANCE.md. BENCH_ARGS= (empty) runs only the small dataset.
BENCH_ARGS ?= --scale --pooled
bench-tool:
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -q wrk >/dev/null; } \
		|| { echo "wrk is needed for the benchmark: apt-get install wrk"; exit 1; }

bench: $(VENV)/.dev bench-tool pooler
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# One worker's CPU per request without HTTP, on the database and tokens `make bench` left behind.
# INPROCESS_ARGS="--profile mark" prints cProfile's view of one endpoint; INPROCESS_ARGS="--metrics-cost"
# what the Prometheus metrics add to each endpoint's CPU.
bench-inprocess: $(VENV)/.runtime
	$(BIN)/python bench/inprocess.py $(INPROCESS_ARGS)

# The app served two ways, alternated round by round: as it is (A), and with COMPARE_ARGS'
# environment settings (B), e.g. COMPARE_ARGS="WEB_CONCURRENCY=3 --endpoints healthz,mark".
bench-compare: $(VENV)/.dev bench-tool
	$(BIN)/python bench/compare.py $(COMPARE_ARGS)

# The staff analytics at 100,000 users / 1,000,000 completions / 1,000,000 events, on a fresh
# embedded PostgreSQL (or BENCH_DATABASE_URL); figures into docs/PERFORMANCE.md.
bench-analytics: $(VENV)/.runtime
	rm -rf $(CURDIR)/bench/.work/pgdata-analytics
	$(if $(BENCH_DATABASE_URL),DATABASE_URL=$(BENCH_DATABASE_URL),env -u DATABASE_URL DATESPARK_PGDATA=$(CURDIR)/bench/.work/pgdata-analytics) \
		$(BIN)/python bench/analytics.py --seed

lock:
	rm -rf /tmp/datespark-lock && $(PYTHON) -m venv /tmp/datespark-lock
	$(PYTHON) -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml','rb'))['project']['dependencies']))" > /tmp/datespark-lock/runtime.in
	$(PYTHON) -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml','rb'))['project']['optional-dependencies']['dev']))" > /tmp/datespark-lock/dev.in
	/tmp/datespark-lock/bin/pip install -q -r /tmp/datespark-lock/runtime.in
	(echo "# Runtime closure, pinned. Regenerate with 'make lock' after editing pyproject.toml."; /tmp/datespark-lock/bin/pip freeze) > requirements.lock
	/tmp/datespark-lock/bin/pip install -q -r /tmp/datespark-lock/dev.in
	(echo "# Runtime + dev closure, pinned. Regenerate with 'make lock' after editing pyproject.toml."; /tmp/datespark-lock/bin/pip freeze) > requirements-dev.lock

clean:
	-$(BIN)/python -m datespark.embedded_db stop
	rm -rf $(VENV) staticfiles .pytest_cache .mypy_cache .ruff_cache
