#!/usr/bin/env bash
# Airflow for the demo: `airflow.sh init` (migrate the metadata DB), `start` (standalone in the
# background, its own process group), `stop`, `status`. Settings: infra/local/airflow_env.sh.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=airflow_env.sh
. "$repo/infra/local/airflow_env.sh"
# standalone starts its components as `airflow ...` from PATH
export PATH="$repo/.venv/bin:$PATH"
AIRFLOW="$repo/.venv/bin/airflow"
state="$repo/.local/airflow"; pidfile="$state/standalone.pgid"; log="$state/standalone.log"
url="http://127.0.0.1:${AIRFLOW_PORT:-8080}"

healthy() { curl -sf -o /dev/null "$url/api/v2/monitor/health"; }
running() { [ -f "$pidfile" ] && kill -0 -- "-$(cat "$pidfile")" 2>/dev/null; }

case "${1:-}" in
  init)
    "$AIRFLOW" db migrate >"$state/migrate.log" 2>&1 || { tail -20 "$state/migrate.log"; echo "airflow db migrate failed; see $state/migrate.log" >&2; exit 1; }
    ;;
  start)
    if running && healthy; then echo "Airflow already running at $url"; exit 0; fi
    if (exec 3<>"/dev/tcp/127.0.0.1/${AIRFLOW_PORT:-8080}") 2>/dev/null; then
      echo "port ${AIRFLOW_PORT:-8080} is taken by another program; stop it or set AIRFLOW_PORT in .env" >&2; exit 1
    fi
    setsid "$AIRFLOW" standalone >"$log" 2>&1 < /dev/null &
    echo $! > "$pidfile"
    for _ in $(seq 1 120); do
      healthy && { echo "Airflow is up at $url"; exit 0; }
      running || { tail -30 "$log"; echo "Airflow exited during start-up; see $log" >&2; exit 1; }
      sleep 1
    done
    echo "Airflow did not become healthy in 120 s; see $log" >&2; exit 1
    ;;
  stop)
    if running; then
      pgid="$(cat "$pidfile")"
      kill -TERM -- "-$pgid" 2>/dev/null || true
      for _ in $(seq 1 30); do kill -0 -- "-$pgid" 2>/dev/null || break; sleep 1; done
      kill -KILL -- "-$pgid" 2>/dev/null || true
      echo "Airflow stopped"
    fi
    rm -f "$pidfile"
    ;;
  status) if running && healthy; then echo "running at $url"; else echo "not running"; exit 3; fi ;;
  *) echo "usage: $0 init|start|stop|status" >&2; exit 2 ;;
esac
