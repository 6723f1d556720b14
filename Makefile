# mmlab: `make run` executes every study notebook, `make test` runs the tests.
# Both create .venv with python3 if it is missing and install mmlab into it.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PROFILE ?= quick
# pytest worker processes of `make test`: two keep both CPU cores busy while one notebook waits on a single thread.
# Each worker takes one test at a time from a queue that starts with the longest (conftest.py).
TEST_WORKERS ?= 2

# The offline data mirror beside a checkout (developers' machines and CI).
SHARED_DATA := $(abspath ../shared/data)
export MMLAB_DATA_MIRROR ?= $(if $(wildcard $(SHARED_DATA)),$(SHARED_DATA),)

.PHONY: run test browser lab bench dashboard stream-redis clean

# The local Redis server of `make stream-redis` (started on 127.0.0.1, stopped after).
REDIS_PORT ?= 6379

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

run: $(VENV)/.installed
	$(BIN)/mmlab run --profile $(PROFILE) --output build

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --maxschedchunk 1

# The browser tests alone (JupyterLab and Voila in headless Chromium); installs Debian's chromium where missing.
browser: $(VENV)/.installed-test
	command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
		(apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium chromium-driver)
	MMLAB_REQUIRE_BROWSER=1 $(BIN)/python -m pytest -m browser

lab: $(VENV)/.installed
	$(BIN)/jupyter lab notebooks/

dashboard: $(VENV)/.installed
	$(BIN)/mmlab dashboard

stream-redis: $(VENV)/.installed
	@command -v redis-server >/dev/null || { echo "redis-server is not installed: apt-get install redis-server"; exit 1; }
	mkdir -p build
	redis-server --port $(REDIS_PORT) --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
		--pidfile $(CURDIR)/build/redis.pid
	$(BIN)/mmlab stream --broker redis://127.0.0.1:$(REDIS_PORT) --workers 2 --output build/stream; \
		status=$$?; kill $$(cat build/redis.pid); exit $$status

bench: $(VENV)/.installed
	@for script in benchmarks/[!_]*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf build
