#!/usr/bin/env bash
# `make down`: stop everything `make demo` started, whole process groups, then PostgreSQL.
set -uo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
[ -x "$repo/infra/local/superset.sh" ] && bash "$repo/infra/local/superset.sh" worker stop
[ -x "$repo/infra/local/superset.sh" ] && bash "$repo/infra/local/superset.sh" stop
[ -x "$repo/.venv/bin/airflow" ] && bash "$repo/infra/local/airflow.sh" stop
bash "$repo/infra/local/redis.sh" down
bash "$repo/infra/local/pg.sh" down
for port in "${AIRFLOW_PORT:-8080}" "${SUPERSET_PORT:-8088}" "${SVDW_PG_PORT:-55432}"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "warning: something still listens on 127.0.0.1:$port (not started by make demo?)" >&2
  fi
done
exit 0
