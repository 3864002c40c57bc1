#!/usr/bin/env bash
# Airflow for the demo: `airflow.sh init` (migrate the metadata DB), `start`, `stop`, `status`,
# `worker start|stop N` (one Celery worker). Settings: infra/local/airflow_env.sh.
#
# SVDW_EXECUTOR=local (default): `airflow standalone` with the LocalExecutor, one process group.
# SVDW_EXECUTOR=celery: the api-server, scheduler, dag-processor and triggerer in one process
# group (standalone always forces the LocalExecutor), and SVDW_CELERY_WORKERS (default 2) Celery
# workers, each in a process group of its own so that one can be stopped, or killed, alone.
# Redis must be up first (infra/local/redis.sh up; demo.sh does it).
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=airflow_env.sh
. "$repo/infra/local/airflow_env.sh"
# standalone starts its components as `airflow ...` from PATH
export PATH="$repo/.venv/bin:$PATH"
AIRFLOW="$repo/.venv/bin/airflow"
state="$AIRFLOW_HOME"; pidfile="$state/standalone.pgid"; log="$state/standalone.log"
url="http://127.0.0.1:${AIRFLOW_PORT:-8080}"
WORKERS="${SVDW_CELERY_WORKERS:-2}"

healthy() { curl -sf -o /dev/null "$url/api/v2/monitor/health"; }
group_alive() { [ -f "$1" ] && kill -0 -- "-$(cat "$1")" 2>/dev/null; }
running() { group_alive "$pidfile"; }

descendants() { local child; for child in $(pgrep -P "$1"); do echo "$child"; descendants "$child"; done; }

stop_group() { # pid file of a process group leader
  if group_alive "$1"; then
    local pgid tasks; pgid="$(cat "$1")"
    # Airflow runs each task in a session of its own: note them before their parents go.
    tasks="$(descendants "$pgid")"
    kill -TERM -- "-$pgid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 -- "-$pgid" 2>/dev/null || break; sleep 1; done
    kill -KILL -- "-$pgid" 2>/dev/null || true
    # shellcheck disable=SC2086
    [ -n "$tasks" ] && kill -KILL $tasks 2>/dev/null || true
  fi
  rm -f "$1"
}

worker_pidfile() { echo "$state/worker-$1.pgid"; }

# Celery worker N: its own name, svdw-worker-N@host (on one machine every task instance has the
# same hostname; Celery records the worker's name with each result, airflow_env.sh), its own log.
# Task logs are files under $AIRFLOW_HOME/logs that the api-server reads directly on one machine,
# so the workers do not serve logs (two log servers would want the same port).
worker_start() {
  local n="$1" wpid; wpid="$(worker_pidfile "$n")"
  if group_alive "$wpid"; then echo "Celery worker $n already running"; return; fi
  setsid "$AIRFLOW" celery worker --celery-hostname "svdw-worker-$n@%h" --skip-serve-logs \
    >"$state/worker-$n.log" 2>&1 </dev/null &
  echo $! >"$wpid"
  echo "Celery worker $n started (log: $state/worker-$n.log)"
}

start_components() {
  if [ "$SVDW_EXECUTOR" = celery ]; then
    [ -n "${SVDW_REDIS_PASSWORD:-}" ] || { echo "SVDW_REDIS_PASSWORD is not set (make env)" >&2; exit 1; }
    # One group for the four services, so that `stop` ends them together.
    setsid bash -c '"$0" api-server & "$0" scheduler & "$0" dag-processor & "$0" triggerer & wait' \
      "$AIRFLOW" >"$log" 2>&1 </dev/null &
  else
    setsid "$AIRFLOW" standalone >"$log" 2>&1 </dev/null &
  fi
  echo $! >"$pidfile"
}

case "${1:-}" in
  init)
    "$AIRFLOW" db migrate >"$state/migrate.log" 2>&1 || { tail -20 "$state/migrate.log"; echo "airflow db migrate failed; see $state/migrate.log" >&2; exit 1; }
    ;;
  start)
    if running && healthy; then echo "Airflow already running at $url"; exit 0; fi
    if (exec 3<>"/dev/tcp/127.0.0.1/${AIRFLOW_PORT:-8080}") 2>/dev/null; then
      echo "port ${AIRFLOW_PORT:-8080} is taken by another program; stop it or set AIRFLOW_PORT in .env" >&2; exit 1
    fi
    start_components
    if [ "$SVDW_EXECUTOR" = celery ]; then
      for n in $(seq 1 "$WORKERS"); do worker_start "$n"; done
    fi
    # A loaded two-core machine has been seen to need over two minutes for the api-server.
    timeout="${AIRFLOW_START_TIMEOUT:-300}"
    for _ in $(seq 1 "$timeout"); do
      healthy && { echo "Airflow is up at $url ($AIRFLOW__CORE__EXECUTOR)"; exit 0; }
      running || { tail -30 "$log"; echo "Airflow exited during start-up; see $log" >&2; exit 1; }
      sleep 1
    done
    echo "Airflow did not become healthy in $timeout s; see $log" >&2; exit 1
    ;;
  stop)
    for wpid in "$state"/worker-*.pgid; do [ -e "$wpid" ] && stop_group "$wpid"; done
    if running; then stop_group "$pidfile"; echo "Airflow stopped"; fi
    rm -f "$pidfile"
    ;;
  worker)
    [[ "${3:-}" =~ ^[0-9]+$ ]] || { echo "usage: $0 worker start|stop N" >&2; exit 2; }
    case "${2:-}" in
      start) worker_start "$3" ;;
      stop) stop_group "$(worker_pidfile "$3")"; echo "Celery worker $3 stopped" ;;
      *) echo "usage: $0 worker start|stop N" >&2; exit 2 ;;
    esac
    ;;
  status) if running && healthy; then echo "running at $url ($AIRFLOW__CORE__EXECUTOR)"; else echo "not running"; exit 3; fi ;;
  *) echo "usage: $0 init|start|stop|status|worker start|stop N" >&2; exit 2 ;;
esac
