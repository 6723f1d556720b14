# mmlab: `make run` executes every study notebook, `make test` runs the tests.
# Both create .venv with python3 if it is missing and install mmlab into it.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PROFILE ?= quick

# The offline data mirror beside a checkout (developers' machines and CI).
SHARED_DATA := $(abspath ../shared/data)
export MMLAB_DATA_MIRROR ?= $(if $(wildcard $(SHARED_DATA)),$(SHARED_DATA),)

.PHONY: run test lab bench clean

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
	$(BIN)/python -m pytest

lab: $(VENV)/.installed
	$(BIN)/jupyter lab notebooks/

bench: $(VENV)/.installed
	@for script in benchmarks/[!_]*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf build
