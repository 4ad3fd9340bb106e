# The two commands a newcomer needs: `make run` and `make test`. Everything else is set up
# by them on a fresh machine (a Python 3.11 with venv; npm for the browser-test helpers).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PROMISE_FILE := data/medborgarlofte-2022-jonkoping.yaml

.PHONY: lock run setup test bench bench-http bench-smoke loadtest loadtest-short lint format messages check-deploy backup restore clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# requirements*.txt name what we use, pinned; requirements*.lock (from `make lock`) pin every
# package they pull in, with hashes, and are what gets installed.
$(VENV)/.installed: requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	touch $@

$(VENV)/.installed-dev: requirements-dev.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@ $(VENV)/.installed

$(VENV)/.installed-load: requirements-load.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-load.lock
	touch $@ $(VENV)/.installed-dev $(VENV)/.installed

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

## setup: install, migrate, load the 2022 promise, create demo users and demo data
setup: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_promise $(PROMISE_FILE)
	$(BIN)/python manage.py seed_demo

## run: set up and serve on http://127.0.0.1:8000
run: setup
	PUBLIC_DEFAULT_MUNICIPALITY=$${PUBLIC_DEFAULT_MUNICIPALITY-jonkoping} $(BIN)/python manage.py runserver 127.0.0.1:8000

## test: the whole suite (SQLite by default; set DATABASE_URL for PostgreSQL), in PYTEST_WORKERS
## processes (pytest-xdist); PYTEST_WORKERS=0 (or PYTEST_ARGS="-n 0") runs it in this one.
PYTEST_WORKERS ?= 2
test: $(VENV)/.installed-dev node_modules/.package-lock.json
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

## loadtest: gunicorn on a throwaway PostgreSQL, locust traffic, the database stopped mid-run
LOADTEST_SECONDS ?= 120
loadtest: $(VENV)/.installed-load
	$(BIN)/python -m loadtest.run --seconds $(LOADTEST_SECONDS)

## loadtest-short: the same in 30 seconds (CI runs it)
loadtest-short: $(VENV)/.installed-load
	$(BIN)/python -m loadtest.run --seconds 30 --users 10

## bench: 300 municipalities' promises with 10 k, 100 k and 1 M activities on PostgreSQL, then bench-http.
## National scale: `make bench BENCH_SIZES=10000,1000000,10000000` (10 M: about 5 GiB on disk and
## a quarter of an hour more on 2 cores; see docs/scaling.md). BENCH_ARGS passes more, e.g. --repeats 7.
BENCH_SIZES ?= 10000,100000,1000000
BENCH_ARGS ?=
bench: $(VENV)/.installed-dev
	DJANGO_SETTINGS_MODULE=bench.settings $(BIN)/python -m bench.run --sizes $(BENCH_SIZES) $(BENCH_ARGS)
	$(MAKE) bench-http

## bench-http: public pages against a static file through gunicorn, measured with wrk (apt-get install wrk)
bench-http: $(VENV)/.installed-dev
	$(BIN)/python -m bench.http

## bench-smoke: the benchmark at its smallest size, so it cannot rot (CI runs it; about a minute and a half)
bench-smoke: $(VENV)/.installed-dev
	DJANGO_SETTINGS_MODULE=bench.settings $(BIN)/python -m bench.run --sizes 10000 --promises 10 --repeats 3 \
		--output artifacts/performance-smoke.md

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## messages: extract gettext strings into locale/sv and compile them
messages: $(VENV)/.installed
	$(BIN)/python manage.py makemessages --locale sv --no-location --ignore '.venv/*' --ignore 'node_modules/*'
	$(BIN)/python manage.py compilemessages --locale sv --ignore '.venv/*'

check-deploy: $(VENV)/.installed
	DJANGO_ENV=production SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') ALLOWED_HOSTS=example.org \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

## backup: back up the database to backups/ (pg_dump for PostgreSQL, a file copy for SQLite)
backup: $(VENV)/.installed
	$(BIN)/python manage.py backup $(if $(OUTPUT),--output $(OUTPUT))

## restore FILE=backups/...: replace the database's contents with a backup
restore: $(VENV)/.installed
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/medborgarlofte-....dump"; exit 2; }
	$(BIN)/python manage.py restore "$(FILE)" --yes

## lock: regenerate the hashed lock files after changing a requirements*.txt (needs the registry)
PIP_COMPILE := $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-header \
	--no-emit-find-links --no-emit-index-url
lock: | $(BIN)/python
	$(BIN)/pip install --quiet pip-tools==7.6.2
	$(PIP_COMPILE) -o requirements.lock requirements.txt
	$(PIP_COMPILE) -c requirements.lock -o requirements-dev.lock requirements-dev.txt
	$(PIP_COMPILE) -c requirements-dev.lock -o requirements-load.lock requirements-load.txt

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3
