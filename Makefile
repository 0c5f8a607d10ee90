# The user's verbs. Every target sets up what it needs itself.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
ENV ?= dev
TARGET ?= local
# ENGINE=cloudformation deploys the template as one stack through change sets.
ENGINE ?= boto3
# The project every target works on: the churn example unless PROJECT=DIR names another.
PROJECT ?= examples/churn
export SELFHEAL_PROJECT := $(abspath $(PROJECT))
# Python writes its bytecode caches (__pycache__, ignored by git) even where the environment says
# not to: without them every process of a run (each test worker, each job, each subprocess the
# suite starts) compiled the project again, seconds per worker. `make test PYTHONDONTWRITEBYTECODE=1`
# still turns them off.
export PYTHONDONTWRITEBYTECODE :=
# V=1: a line per resource from deploy-workflow and demo instead of one progress line.
V ?=
# The embedded cloud server's port for local-up.
PORT ?= 4566

.PHONY: setup test lint asl render demo bench deploy-workflow plan-workflow rollback-workflow \
	destroy-workflow unlock-workflow package template local-up local-down console clean help

# `make` alone sets up the clone, as it always has; `make help` lists the verbs.
.DEFAULT_GOAL := setup

setup: $(VENV)/.installed node_modules/.installed  ## create .venv and node_modules from the pinned locks (the default goal)

# The venv is rebuilt when the pins change; requirements.lock pins the whole tree. uv installs it
# in seconds where pip took two and a half minutes, most of them compiling the bytecode of every
# installed module (Python writes it on first import instead, for the modules a run imports); pip
# still installs it where uv cannot (an index only pip is configured for).
UV_VERSION := 0.13.9
$(VENV)/.installed: pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is required (found %s); set PYTHON=python3.11" % sys.version.split()[0])'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "==> installing pinned Python dependencies into $(VENV)"
	@if $(PY) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION) \
		&& $(PY) -m uv pip install --quiet --python $(PY) -r requirements.lock; then :; else \
		echo "note: uv could not install the locks; installing them with pip (minutes, not seconds)"; \
		$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock; fi
	@# The clone itself, editable: .venv/bin/selfheal runs this checkout's code.
	@$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@bash scripts/setup-system.sh
	@touch $@

node_modules/.installed: package.json package-lock.json
	@echo "==> installing pinned npm tools (asl-validator)"
	@npm ci --silent --no-audit --no-fund >/dev/null
	@touch $@

# pytest-xdist runs the suite on every core (--dist worksteal): each worker starts on its half of
# the tests in file order, so a module's fixtures are mostly built once, and an idle worker takes
# tests from the other's tail instead of waiting for its last long module (loadscope idled a core
# for a minute and a half of a six-minute run).
TEST_WORKERS ?= auto
test: setup  ## the whole suite on every core (TEST_WORKERS=1 for one process)
	@$(PY) -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist worksteal

lint: setup  ## ruff, ruff format --check and mypy --strict
	@$(PY) -m ruff check .
	@$(PY) -m ruff format --check .
	@$(PY) -m mypy

asl: $(VENV)/.installed  ## regenerate asl/*.asl.json and rules/ from the builders
	@$(PY) -m selfheal asl
	@$(PY) -m selfheal rules generate

render: asl  ## redraw the pictures of every state machine (asl/<name>.mmd, and .svg with graphviz)

bench: setup  ## speed figures, each with its target and PASS/FAIL
	@$(PY) scripts/bench.py

demo: setup  ## the whole self-healing loop in the embedded cloud (V=1: a line per deployed resource)
	@$(PY) -m selfheal demo --env $(ENV) $(if $(V),--verbose)

package: $(VENV)/.installed  ## the Lambda zips and the job bundle in build/
	@$(PY) -m selfheal package --out build

local-up: $(VENV)/.installed  ## start the embedded cloud server on 127.0.0.1:4566 (PORT=N for another port)
	@$(PY) -m selfheal local up --port $(PORT)

local-down: $(VENV)/.installed  ## stop the embedded cloud server
	@$(PY) -m selfheal local down

# The web console on 127.0.0.1:8321 (CONSOLE_PORT=N) over the embedded cloud's server or AWS_ENDPOINT_URL.
console: $(VENV)/.installed  ## the web console on 127.0.0.1:8321 (CONSOLE_PORT=N)
	@$(PY) -m selfheal console --port $(or $(CONSOLE_PORT),8321)

# TARGET=local (default) deploys to the embedded cloud (started or reused on 127.0.0.1:4566, or
# AWS_ENDPOINT_URL); TARGET=aws to the account of the standard AWS environment.
deploy-workflow: setup  ## deploy ENV to TARGET=local|aws (V=1: a line per resource)
	@$(PY) -m selfheal deploy --env $(ENV) --target $(TARGET) --engine $(ENGINE) $(if $(V),--verbose)

plan-workflow: setup  ## what a deploy would change, reading only
	@$(PY) -m selfheal plan --env $(ENV) --target $(TARGET) --engine $(ENGINE)

# MACHINE=retrain (or drift-check, deploy-model) rolls back that machine only; default: every
# machine that has an earlier version.
MACHINE ?=
rollback-workflow: setup  ## make live what was live before the latest deploy (MACHINE=...)
	@$(PY) -m selfheal rollback --env $(ENV) --target $(TARGET) --engine $(ENGINE) $(if $(MACHINE),--machine $(MACHINE))

# Asks for the environment's name unless YES=1; DELETE_DATA=1 also deletes the buckets holding
# objects and the model package group holding packages, which are kept otherwise.
YES ?=
DELETE_DATA ?=
destroy-workflow: setup  ## delete the environment (YES=1 without asking, DELETE_DATA=1 the data too)
	@$(PY) -m selfheal destroy --env $(ENV) --target $(TARGET) --engine $(ENGINE) $(if $(YES),--yes) \
		$(if $(DELETE_DATA),--delete-data)

# Shows who holds the environment's lock and releases it when told (YES=1, or the name typed).
unlock-workflow: setup  ## release the lock a crashed deploy left (YES=1)
	@$(PY) -m selfheal unlock --env $(ENV) --target $(TARGET) $(if $(YES),--yes)

template: setup  ## build/<env>.template.json, a CloudFormation template
	@$(PY) -m selfheal template --env $(ENV) --out build/$(ENV).template.json

clean:  ## remove .venv, node_modules and build/
	rm -rf $(VENV) node_modules .pytest_cache build

# One line per verb, from the `## ` note after each target above.
help:  ## this list
	@awk -F ':.*## ' '/^[a-z][a-z-]*:.*## / { printf "  make %-19s %s\n", $$1, $$2 }' $(firstword $(MAKEFILE_LIST))
