# One entry point for developer commands. CI (.ci/run) calls the same targets.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Production-like settings for the deploy check: nothing here is a real secret.
DEPLOY_ENV := DEBUG=false ALLOWED_HOSTS=pathway.example.nhs.uk DATABASE_URL=sqlite:///:memory: \
	SECRET_KEY=deploy-check-only-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ

.PHONY: run test test-dates check scan audit demo migrate worker beat vendor format clean bench load

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

## run: install, migrate, load demo data and serve on http://127.0.0.1:8000
run: demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

## test: the whole test suite (SQLite and eager tasks unless DATABASE_URL / REDIS_URL are set)
test: $(STAMP)
	$(BIN)/python -m pytest

## test-dates: the suite on days that catch calendar bugs (a leap day, the clocks changing, a
## month end in summer time, when the UTC date is still the day before,
## just before and after midnight at the turn of the year), each as its own run. Only the test
## process's clock moves, so browser journeys and tests that start worker or server processes
## are left out (TEST_DATES_IGNORE).
TEST_DATES ?= 2028-02-29T00:30 2027-03-28T00:30 2027-05-31T00:30 2027-10-31T01:30 2026-12-31T23:50 2027-01-01T00:10
TEST_DATES_IGNORE := --ignore=tests/functional --ignore=tests/integration/test_faults.py \
	--ignore=tests/integration/test_celery_worker.py --ignore=tests/integration/test_production_headers.py \
	--ignore=tests/integration/test_backup_restore.py --ignore=tests/integration/test_access_log.py
test-dates: $(STAMP)
	set -e; for day in $(TEST_DATES); do echo "=== today is $$day"; \
	  $(BIN)/python -m pytest -q -x -m "not browser" $(TEST_DATES_IGNORE) --today=$$day tests; done

## check: lint, format, import layers (.importlinter), missing migrations and the deploy check
check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(DEPLOY_ENV) $(BIN)/python manage.py check --deploy --fail-level WARNING

## scan: bandit over our code; any finding of medium or high severity fails
scan: $(STAMP)
	$(BIN)/bandit -r pathway --severity-level medium --quiet

## audit: known vulnerabilities in the installed dependencies (needs PyPI's JSON API)
audit: $(STAMP)
	$(BIN)/pip-audit --strict --progress-spinner off

migrate: $(STAMP)
	$(BIN)/python manage.py migrate --noinput

## demo: migrate and load the demo organisations, users and patients
demo: migrate
	$(BIN)/python manage.py load_demo

## worker / beat: a real Celery worker and scheduler (need REDIS_URL)
worker: $(STAMP)
	$(BIN)/celery -A pathway worker --loglevel=INFO

beat: $(STAMP)
	$(BIN)/celery -A pathway beat --loglevel=INFO

## bench: page times and query counts over HTTP at each data size (SIZE=small|recent|large|all)
## (needs PostgreSQL and Redis; writes benchmarks/results.json; see docs/performance.md)
SIZE ?= all
bench: $(STAMP)
	$(BIN)/python scripts/bench.py --size $(SIZE)

## load: 20 staff users and patients for 3 minutes against gunicorn with 2 workers (locust)
LOAD_SIZE ?= small
load: $(STAMP)
	$(BIN)/python -m benchmarks.load --size $(LOAD_SIZE)

## vendor: refresh the NHS.UK frontend and htmx from the npm registry (needs node and npm)
vendor:
	scripts/vendor-frontend.sh

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
