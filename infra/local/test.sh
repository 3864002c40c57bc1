#!/usr/bin/env bash
# `make test`: lint, then the whole pytest suite (unit, integration on the local PostgreSQL,
# end-to-end with real Airflow DAG runs and a real Superset). Tests make their own databases
# and ports, so a running demo is neither needed nor disturbed. Extra args go to pytest.
set -uo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"; cd "$repo"
.venv/bin/ruff check src dags tests infra superset benchmarks && .venv/bin/mypy || exit 1
# Let Python cache compiled modules (__pycache__, ignored by git): where the environment sets
# PYTHONDONTWRITEBYTECODE, every process the suite starts (pytest, each Airflow run, each
# superset.sh command, gunicorn) would compile Airflow, dbt, GX and Superset from source again:
# importing Superset's app took 3x as long, GX's 2.5x.
unset PYTHONDONTWRITEBYTECODE
# The Celery stack test (marker distributed) runs a whole warehouse build through two workers:
# tens of minutes on two cores, so it has its own target, `make test-distributed`.
markers=(-m "not distributed")
for arg in "$@"; do [ "$arg" = "-m" ] && markers=(); done
# --durations: every run names its slowest tests (the suite must stay well inside 30 minutes).
.venv/bin/pytest "${markers[@]}" --durations=30 "$@"
status=$?
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: that is a failure here, not a pass" >&2
  exit 1
fi
exit "$status"
