#!/usr/bin/env bash
# `make test`: lint, then the whole pytest suite (unit, integration on the local PostgreSQL,
# end-to-end with real Airflow DAG runs and a real Superset). Tests make their own databases
# and ports, so a running demo is neither needed nor disturbed. Extra args go to pytest.
set -uo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"; cd "$repo"
.venv/bin/ruff check src dags tests infra superset benchmarks && .venv/bin/mypy || exit 1
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
