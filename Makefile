# The two commands: `make demo` (set everything up and run the pipeline) and `make test`.
# Everything else here is what those two need; every target is safe to repeat.
SHELL := /bin/bash
.DEFAULT_GOAL := help
UV_VERSION := 0.13.9
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
PY := .venv/bin/python

.PHONY: help demo test test-distributed down env pg venvs system-deps lint bench lock docs gx-docs

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' Makefile | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

# demo.sh prints the time of each step and the total from here (installs included).
demo: export SVDW_DEMO_STARTED := $(shell date +%s)
demo: venvs pg ## set up everything, run the pipeline through Airflow, start Airflow and Superset (EXECUTOR=celery: Redis + 2 Celery workers)
	@bash infra/local/demo.sh

test: venvs pg ## set up what the tests need and run the whole suite
	@bash infra/local/test.sh

test-distributed: venvs pg ## the CeleryExecutor test: Redis, two Celery workers, a build through them, one worker killed
	@bash infra/local/test.sh -m distributed tests/e2e/test_celery_executor.py

down: ## stop everything `make demo` started
	@bash infra/local/down.sh

env: .env ## write .env from .env.example (generated secrets); never overwrites

.env: .env.example infra/local/make_env.py
	@python3 infra/local/make_env.py .
	@touch .env

system-deps: ## apt packages the project needs (PostgreSQL 15 server, chromium for the browser tests) when missing
	@bash infra/local/system_deps.sh

pg: env system-deps ## start the project-local PostgreSQL cluster (127.0.0.1:55432)
	@bash infra/local/pg.sh up

venvs: .venv/.installed .venv-superset/.installed ## uv virtualenvs from the lock files

$(UV):
	python3 -m pip install --quiet --user "uv==$(UV_VERSION)"

.venv/.installed: requirements/warehouse.lock pyproject.toml | $(UV)
	$(UV) venv --quiet --allow-existing --python python3.11 .venv
	VIRTUAL_ENV=.venv $(UV) pip sync --quiet requirements/warehouse.lock
	VIRTUAL_ENV=.venv $(UV) pip install --quiet --no-deps -e .
	@touch $@

.venv-superset/.installed: requirements/superset.lock | $(UV)
	$(UV) venv --quiet --allow-existing --python python3.11 .venv-superset
	VIRTUAL_ENV=.venv-superset $(UV) pip sync --quiet requirements/superset.lock
	@touch $@

lock: ## re-resolve the pinned dependencies after editing requirements/*.in
	$(UV) pip compile --quiet requirements/warehouse.in -o requirements/warehouse.lock --python-version 3.11 --python-platform x86_64-unknown-linux-gnu
	$(UV) pip compile --quiet requirements/superset.in -o requirements/superset.lock --python-version 3.11 --python-platform x86_64-unknown-linux-gnu

lint: .venv/.installed ## ruff and mypy
	.venv/bin/ruff check src dags tests infra superset benchmarks
	.venv/bin/ruff format --check src dags tests infra superset benchmarks
	.venv/bin/mypy

docs: venvs pg ## generate the data dictionary (dbt docs) and serve it on 127.0.0.1:8081
	.venv/bin/svdw docs --serve

gx-docs: venvs pg ## Great Expectations Data Docs of each raw table's latest batch (expectations/gx/uncommitted/data_docs)
	.venv/bin/python -m svdw.quality docs

bench: venvs pg ## the issue-15 figures -> bench/results.json, docs/benchmarks.md (ONLY=loader,memory,... BENCH_ARGS="--months 12")
	nice .venv/bin/python benchmarks/bench.py $(if $(ONLY),--only $(ONLY)) $(BENCH_ARGS)
