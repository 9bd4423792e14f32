# ejournal-kz: every developer command. `make run` and `make test` set everything up on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PORT ?= 8000
STAGE ?= dev
VENV := .venv
PY := $(VENV)/bin/python
PYTHON313 := $(shell PYENV_VERSION=3.13.0 python3.13 -c 'import sys; print(sys.executable)' 2>/dev/null || python3.13 -c 'import sys; print(sys.executable)' 2>/dev/null)
export AWS_ACCOUNT_ID_ENDPOINT_MODE := disabled

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@if [ -z "$(PYTHON313)" ]; then echo "Python 3.13 not found: install it (pyenv install 3.13.0) or put python3.13 on PATH." >&2; exit 1; fi
	@[ -x $(PY) ] || $(PYTHON313) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	@touch $@

venv: $(VENV)/.installed ## create .venv and install the dev requirements

run: venv ## start the whole service locally with demo data on 127.0.0.1:$(PORT)
	$(PY) -m chalicelib.local --port $(PORT) $(if $(DATA_FILE),--data-file $(DATA_FILE))

test: venv ## run unit, integration and e2e tests
	$(PY) -m pytest -q tests/unit tests/integration tests/e2e

unit: venv ## run only the unit tests (seconds)
	$(PY) -m pytest -q tests/unit

bench: venv ## run the benchmarks and write bench/results/*.json
	$(PY) -m bench

.PHONY: help venv run test unit bench
