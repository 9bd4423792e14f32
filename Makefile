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

fuzz: venv ## fuzz every /v1 operation against its OpenAPI document as four demo roles (SCALE=n for n times more)
	FUZZ=1 FUZZ_SCALE=$(SCALE) $(PY) -m pytest -q -s tests/e2e/test_openapi_fuzz.py

bench: venv ## run the benchmarks and write bench/results/*.json
	$(PY) -m bench

redrive: venv ## replay parked stream records through their consumer (CONSUMER=alerts|audit|counters|notifications)
	$(PY) -m chalicelib.jobs.redrive $(if $(CONSUMER),--consumer $(CONSUMER))

reconcile: venv ## recompute counters from the journal and report drift: one school (SCHOOL=<id>) or all; REPAIR=1 repairs
	$(PY) -m chalicelib.jobs.reconcile $(SCHOOL) $(if $(REPAIR),--repair)

INFRA_PY := infra/.venv/bin/python
infra/.venv/.installed: requirements.txt requirements-dev.txt infra/requirements.txt
	@if [ -z "$(PYTHON313)" ]; then echo "Python 3.13 not found: install it (pyenv install 3.13.0) or put python3.13 on PATH." >&2; exit 1; fi
	@[ -x $(INFRA_PY) ] || $(PYTHON313) -m venv infra/.venv
	$(INFRA_PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt -r infra/requirements.txt
	@touch $@

infra/.venv-checkov/.installed: infra/checkov-requirements.txt
	@[ -x infra/.venv-checkov/bin/python ] || $(PYTHON313) -m venv infra/.venv-checkov
	infra/.venv-checkov/bin/python -m pip install -q --disable-pip-version-check -r infra/checkov-requirements.txt
	@touch $@

synth: infra/.venv/.installed ## write STAGE's CloudFormation template offline (infra/cdk.out/$(STAGE))
	rm -rf infra/cdk.out/$(STAGE)
	CDK_CONTEXT_JSON='{"stage":"$(STAGE)"}' CDK_OUTDIR=infra/cdk.out/$(STAGE) $(INFRA_PY) infra/main.py

infra-test: infra/.venv/.installed ## CDK assertion tests on both stages
	$(INFRA_PY) -m pytest -q tests/infra

lint-infra: infra/.venv/.installed infra/.venv-checkov/.installed ## cfn-lint and checkov on both stages
	$(MAKE) synth STAGE=dev && $(MAKE) synth STAGE=prod
	infra/.venv/bin/cfn-lint infra/cdk.out/dev/dev.template.json infra/cdk.out/prod/prod.template.json
	infra/.venv-checkov/bin/checkov --quiet --config-file infra/.checkov.yaml -f infra/cdk.out/dev/dev.template.json -f infra/cdk.out/prod/prod.template.json

deploy: ## how to deploy STAGE (needs AWS credentials and the CDK CLI; cannot run here)
	@echo "Deploying $(STAGE) (infra/RUNBOOK.md, Deploying): AWS credentials for its account, node, then:"
	@echo "  make infra-test lint-infra                                     # what CI checks; makes infra/.venv"
	@echo "  cd infra && npx aws-cdk@2 bootstrap aws://<account>/eu-central-1   # once per account"
	@echo "  cd infra && npx aws-cdk@2 diff -c stage=$(STAGE)"
	@echo "  cd infra && npx aws-cdk@2 deploy -c stage=$(STAGE) --require-approval broadening"
	@echo "  first deploy only: python -m chalicelib.jobs.operator_login ...  # RUNBOOK, First administrator"
	@echo "  rollback: deploy the previous release's commit the same way      # RUNBOOK, Rolling back"

.PHONY: help venv run test unit fuzz bench redrive reconcile synth infra-test lint-infra deploy
