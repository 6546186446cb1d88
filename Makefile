# Newsroom: `make run` for the site with demo content, `make test` for the suite.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
# pyenv's own folder, found from the pyenv on PATH when HOME is elsewhere
# (a clean environment); exported so its shims work too.
PYENV_ROOT ?= $(or $(shell p=$$(command -v pyenv) && cd "$$(dirname "$$p")/.." && pwd),$(HOME)/.pyenv)
export PYENV_ROOT

# Django 6.1 needs Python 3.12+. Plain python3 may be older (3.11 on our
# machines), so look for a newer one, including pyenv installs not on PATH.
find_python = $(shell for c in python3.14 python3.13 python3.12 \
	$$(ls -d $(PYENV_ROOT)/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV) python3; do \
	"$$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { command -v "$$c"; break; }; done)

.PHONY: help install install-dev run test test-e2e lint format check migrations-check messages e2e-deps edge-deps validators-deps bench bench-live bench-faults clean

help:
	@echo "make run      the site with demo content on http://127.0.0.1:8000/"
	@echo "make test     lint, migration check and the whole test suite"
	@echo "make test-e2e browser tests only"
	@echo "make bench    load benchmark against PostgreSQL (DATABASE_URL)"
	@echo "make bench-live  1,000 open live pages polling, at the origin and the edge"
	@echo "make bench-faults  Redis and PostgreSQL stopped under load, a search flood, a soak"

$(VENV)/bin/python:
	@PY_BIN="$(find_python)"; \
	if [ -z "$$PY_BIN" ]; then \
		echo "error: Python 3.12 or newer is needed (tried python3.14, python3.13, python3.12, pyenv versions, python3)." >&2; \
		echo "Install one, e.g. 'pyenv install 3.13', and run make again." >&2; exit 1; \
	fi; \
	echo "Creating $(VENV) with $$PY_BIN ($$($$PY_BIN --version))"; \
	"$$PY_BIN" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:8000

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: install-dev
	$(PY) manage.py check

migrations-check: install-dev
	$(PY) manage.py makemigrations --check --dry-run

# Browser tests need Debian's Chromium, an Arabic font and axe-core.
e2e-deps:
	@command -v chromium >/dev/null && fc-list | grep -qi "Noto Naskh Arabic" || { \
		echo "Installing Chromium and fonts from Debian..."; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-core >/dev/null) \
		|| { echo "error: could not install chromium (needs root and apt)" >&2; exit 1; }; }
	@test -f node_modules/axe-core/axe.min.js || npm install --no-audit --no-fund --silent --ignore-scripts

# The Nu Html Checker (tests marked `validators`): vnu-jar from npm, run on
# Debian's Java (--ignore-scripts: vnu-jar would otherwise download a JDK).
validators-deps:
	@command -v java >/dev/null || { \
		echo "Installing Java from Debian..."; \
		mkdir -p /usr/share/man/man1; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null) \
		|| { echo "error: could not install default-jre-headless (needs root and apt)" >&2; exit 1; }; }
	@test -f node_modules/vnu-jar/build/dist/vnu.jar || npm install --no-audit --no-fund --silent --ignore-scripts

# Edge tests run a real varnishd with the xkey vmod (Debian's varnish-modules).
edge-deps:
	@{ command -v varnishd || test -x /usr/sbin/varnishd; } >/dev/null \
		&& ls /usr/lib/*/varnish/vmods/libvmod_xkey.so >/dev/null 2>&1 || { \
		echo "Installing Varnish and varnish-modules from Debian..."; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq varnish varnish-modules >/dev/null) \
		|| { echo "error: could not install varnish (needs root and apt)" >&2; exit 1; }; }

test: lint check migrations-check e2e-deps edge-deps validators-deps
	$(VENV)/bin/pytest

test-e2e: install-dev e2e-deps
	$(VENV)/bin/pytest -m e2e

messages: install-dev
	cd . && $(PY) manage.py makemessages -l ar -l en --no-obsolete --ignore=.venv --ignore=node_modules
	$(PY) manage.py compilemessages --ignore=.venv

# The benchmark runs with production settings against PostgreSQL.
BENCH_DB ?= postgres://postgres@127.0.0.1:5432/newsroom_bench
BENCH_CACHE ?= redis://127.0.0.1:6379/1
BENCH_ENV = DEBUG=0 SECRET_KEY=bench-only-not-secret-$$(hostname)-0123456789abcdef \
	ALLOWED_HOSTS=127.0.0.1,localhost SECURE_SSL_REDIRECT=0 LOG_LEVEL=WARNING \
	DATABASE_URL=$${DATABASE_URL:-$(BENCH_DB)} CACHE_URL=$${CACHE_URL:-$(BENCH_CACHE)}
bench: install-dev
	@export PATH="$$PATH:/usr/sbin"; { command -v wrk && command -v nginx && command -v varnishd; } >/dev/null || { \
		echo "Installing wrk, nginx and Varnish from Debian..."; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx varnish varnish-modules >/dev/null) \
		|| { echo "error: make bench needs wrk, nginx and varnish with varnish-modules (needs root and apt)" >&2; exit 1; }; }
	@psql -h 127.0.0.1 -U postgres -tc "SELECT 1 FROM pg_database WHERE datname='newsroom_bench'" | grep -q 1 \
		|| createdb -h 127.0.0.1 -U postgres newsroom_bench
	$(BENCH_ENV) $(PY) manage.py migrate --noinput -v0
	$(BENCH_ENV) $(PY) manage.py build_bench_data --articles 100000
	@# Index-only scans need the visibility map a fresh bulk load lacks.
	psql -h 127.0.0.1 -U postgres -q newsroom_bench -c "VACUUM ANALYZE"
	$(BENCH_ENV) $(PY) manage.py bench_site $(BENCH_ARGS)

# Live pages: 1,000 simulated open pages polling one live story, at the
# origin and at the edge. Its own small database and Redis database (the
# command creates the story): no bench data, and no page cached by `bench`.
bench-live: BENCH_DB = postgres://postgres@127.0.0.1:5432/newsroom_live_bench
bench-live: BENCH_CACHE = redis://127.0.0.1:6379/3
bench-live: install-dev edge-deps
	@psql -h 127.0.0.1 -U postgres -tc "SELECT 1 FROM pg_database WHERE datname='newsroom_live_bench'" | grep -q 1 \
		|| createdb -h 127.0.0.1 -U postgres newsroom_live_bench
	$(BENCH_ENV) $(PY) manage.py migrate --noinput -v0
	$(BENCH_ENV) $(PY) manage.py bench_live $(BENCH_ARGS)

# Issue 21's targets: Redis killed and PostgreSQL stopped under load, a search
# flood and a 60-s soak. Servers of its own only (a temporary PostgreSQL
# cluster with seed_demo, a redis-server, gunicorn), since it stops them.
bench-faults: install-dev
	@command -v wrk >/dev/null && command -v redis-server >/dev/null || { \
		echo "Installing wrk and Redis from Debian..."; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk redis-server >/dev/null) \
		|| { echo "error: make bench-faults needs wrk and redis-server (needs root and apt)" >&2; exit 1; }; }
	$(PY) manage.py bench_faults $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles node_modules
