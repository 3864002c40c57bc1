#!/usr/bin/env bash
# `make demo`: synthetic partnership -> Airflow ingestion DAGs -> Asset-scheduled warehouse
# build (GX + dbt via Cosmos) -> Superset dashboards. Safe to run again: files already loaded
# are recognised by sha256 and nothing is duplicated. `make demo EXECUTOR=celery`: the same
# through Redis and two Celery workers (CeleryExecutor); Superset caches in Redis and runs its
# Celery worker (docs/deploy.md).
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"; cd "$repo"
# shellcheck source=airflow_env.sh
. "$repo/infra/local/airflow_env.sh"
svdw="$repo/.venv/bin/svdw"
# Each step's time, and the total, printed as the demo goes and summed up at the end. `make demo`
# sets SVDW_DEMO_STARTED before installing (venvs, PostgreSQL): that time is counted too.
demo_started="${SVDW_DEMO_STARTED:-$(date +%s)}"
step_name=""; step_started=0; timings=()
end_step() {
  [ -n "$step_name" ] || return 0
  local took=$(($(date +%s) - step_started))
  printf '    %s: %ss\n' "${step_name%%:*}" "$took"
  timings+=("$(printf '%6ss  %s' "$took" "${step_name%%:*}")")
  step_name=""
}
step() {
  end_step
  step_name="$*"; step_started=$(date +%s)
  printf '\n\033[1m==> %s\033[0m\n' "$*"
}
if [ -n "${SVDW_DEMO_STARTED:-}" ]; then
  timings+=("$(printf '%6ss  %s' "$(($(date +%s) - demo_started))" "Installs and PostgreSQL (make venvs pg)")")
fi

# A failed task retries sooner here than in production (300 s), so the demo reports promptly.
export SVDW_RETRY_DELAY_SECONDS="${SVDW_RETRY_DELAY_SECONDS:-30}"

if [ "$SVDW_EXECUTOR" = celery ]; then
  step "Redis (Celery broker, Superset cache) and Celery mode"
  bash infra/local/redis.sh up
  # Superset caches chart data in the same Redis and runs its own Celery worker.
  export SUPERSET_REDIS_URL="redis://:${SVDW_REDIS_PASSWORD}@127.0.0.1:${SVDW_REDIS_PORT:-56379}"
fi

# Work that does not wait for anything runs side by side, in the background: the first step
# needing it waits for it (wait_for), and its own time is listed with the steps.
declare -A background_pid=() background_log=()
in_background() { # name log command...
  local name="$1" log="$2"; shift 2
  ( started=$(date +%s); rc=0; "$@" || rc=$?; echo "$(($(date +%s) - started))" >"$log.took"; exit "$rc" ) >"$log" 2>&1 &
  background_pid[$name]=$!; background_log[$name]="$log"
}
wait_for() { # name: fails the demo, with the end of its log, when the background job failed
  local name="$1" log="${background_log[$1]}"
  wait "${background_pid[$name]}" || { tail -30 "$log"; echo "$name failed: see $log" >&2; exit 1; }
  timings+=("$(printf '%6ss  %s' "$(cat "$log.took")" "$name (in the background)")")
  printf '    %s: %ss (in the background)\n' "$name" "$(cat "$log.took")"
}

step "Airflow and Superset start setting up in the background"
# Airflow ($AIRFLOW__CORE__EXECUTOR; metadata in the local PostgreSQL) needs nothing generated.
in_background "Airflow init and start" "$AIRFLOW_HOME/demo-airflow-start.log" \
  bash -c 'bash infra/local/airflow.sh init && bash infra/local/airflow.sh start'
# Superset's own set-up (its metadata DB, roles, the admin) needs nothing from the pipeline; the
# import (which checks the tables exist) waits for the build.
in_background "Superset init" "$AIRFLOW_HOME/superset-init.log" bash infra/local/superset.sh init
# The build's last step, the programme evaluation, runs dbt in the project itself (not in a
# Cosmos copy) as svdw_transformer: with the project parsed beforehand for that connection
# (dbt/target/partial_parse.msgpack), its dbt re-reads nothing instead of parsing the project
# afresh (a minute or more on two cores) at the end of the pipeline.
in_background "dbt parse" "$AIRFLOW_HOME/dbt-parse.log" "$repo/.venv/bin/python" -c \
  "from svdw.config import Settings; from svdw.transform import dbt_parse; dbt_parse(Settings.from_env().transformer_url)"

step "Synthetic partnership on the real Hertfordshire geography (reference/): every partner extract into ${SVDW_LANDING_DIR:-landing}/"
# Same seed, same files: on a second run the loader recognises each file and adds nothing. The
# published reference files (ONS lookup, IMD 2019, IoD population, boundaries) are copied from
# reference/ as they are and loaded through their contracts like any partner extract.
"$svdw" generate --out "${SVDW_LANDING_DIR:-landing}" --months "${SVDW_DEMO_MONTHS:-24}"

step "Warehouse setup as its owner (schemas, tables, grants): the loader and dbt may not change them"
"$svdw" setup

step "Airflow up (what is left of its start)"
wait_for "Airflow init and start"
wait_for "dbt parse"

step "Pipeline: every ingestion DAG, then one warehouse build over all they loaded"
"$svdw" pipeline --step build

# The documents are rendered once, by Airflow's sna_reports DAG (the task Asset scheduling runs
# after every build), while Superset imports its dashboards and starts: neither needs the other.
step "SNA documents and Superset: the sna_reports DAG writes each district's and the partnership's (HTML + PDF) into ${SVDW_REPORTS_DIR:-reports}/, Superset imports its dashboards and starts meanwhile"
# The run fails the demo when the DAG run fails (svdw pipeline names the run and its task log).
in_background "SNA documents (sna_reports DAG run)" "$AIRFLOW_HOME/sna-reports-run.log" \
  "$svdw" pipeline --step reports
wait_for "Superset init"
bash infra/local/superset.sh import
bash infra/local/superset.sh start
[ "$SVDW_EXECUTOR" = celery ] && bash infra/local/superset.sh worker start
wait_for "SNA documents (sna_reports DAG run)"

step "Status"
"$svdw" status --limit 1
end_step
printf '\n\033[1mTime per step\033[0m\n'
printf '%s\n' "${timings[@]}"
total=$(($(date +%s) - demo_started)); load="$(uptime | sed 's/.*load/load/')"
printf '%6ss  total (make demo: %s)\n' "$total" "$load"
# The same figures for `make bench` (demo_fresh_clone_s, src/svdw/bench/demo_figure.py).
mkdir -p .local
printf '%s\n' "${timings[@]}" | "$repo/.venv/bin/python" -c '
import json, sys
steps = dict(reversed(line.strip().split("s  ", 1)) for line in sys.stdin if line.strip())
record = {"total_s": int(sys.argv[1]), "load": sys.argv[2], "steps": {k: int(v) for k, v in steps.items()}}
with open(".local/demo_timings.json", "w") as out:
    json.dump(record, out, indent=1)
' "$total" "$load"
cat <<MSG

The Serious Violence Duty warehouse is running.
  Airflow   ${AIRFLOW_URL:-http://127.0.0.1:8080}   user ${AIRFLOW_ADMIN_USER}
  Superset  ${SUPERSET_URL:-http://127.0.0.1:8088}/superset/dashboard/overview/   user ${SUPERSET_ADMIN_USER}
            board member     user ${SUPERSET_BOARD_USER}
            district partner user ${SUPERSET_DISTRICT_USER}  (district ${SUPERSET_DISTRICT_CODE} only)
            analyst (SQL Lab) user ${SUPERSET_ANALYST_USER}
  Reports   ${SUPERSET_URL:-http://127.0.0.1:8088}/sna-reports/   (files in ${SVDW_REPORTS_DIR:-reports}/latest/)
  Warehouse ${WAREHOUSE_URL%%:*}://svdw_engineer@127.0.0.1:${SVDW_PG_PORT:-55432}/warehouse
Every password is in .env (AIRFLOW_ADMIN_PASSWORD, SUPERSET_ADMIN_PASSWORD, SUPERSET_BOARD_PASSWORD,
SUPERSET_DISTRICT_PASSWORD, SUPERSET_ANALYST_PASSWORD, WAREHOUSE_PASSWORD); none is printed here.
Stop everything with: make down
MSG
