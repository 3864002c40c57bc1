#!/usr/bin/env bash
# Superset for the SVD warehouse, from the project's own virtualenv and the local PostgreSQL.
#
#   superset.sh init     migrate the metadata DB, create the admin user if missing, superset init
#   superset.sh import [--no-check]
#                        import superset/assets (overwrite; safe to repeat), point the database
#                        at the warehouse, repoint chart query contexts, apply roles, demo users
#                        and row-level security (superset/security/), check the tables exist
#   superset.sh start    gunicorn in the background; waits for /health; prints the URL
#   superset.sh stop     stops the whole process group; nothing is left listening
#   superset.sh status   exit 0 running and healthy, 1 running but unhealthy, 3 stopped
#   superset.sh worker start|stop|status
#                        Superset's Celery worker (SQL Lab async queries, cache warm-up); needs
#                        SUPERSET_REDIS_URL (the Celery mode: demo.sh sets it from SVDW_REDIS_*)
#
# Configuration comes from the environment; $REPO/.env is loaded first but never overrides a
# variable that is already set (tests set their own). Variables:
#   SUPERSET_SECRET_KEY      required
#   SUPERSET_METADATA_URL    Superset's metadata DB; default: role superset, db superset on
#                            127.0.0.1:$SVDW_PG_PORT (55432) with SUPERSET_DB_PASSWORD
#   SUPERSET_WAREHOUSE_URL   what the dashboards read; default DASHBOARD_DATABASE_URL
#   SUPERSET_ANALYST_URL     SQL Lab's connection (Analyst role); default ANALYST_DATABASE_URL
#   SUPERSET_SECURITY        roles.yaml, rls.yaml; default $REPO/superset/security
#   SUPERSET_BOARD_USER/_PASSWORD, SUPERSET_DISTRICT_USER/_PASSWORD, SUPERSET_ANALYST_USER/
#   _PASSWORD, SUPERSET_DISTRICT_CODE (import: demo users and row-level security)
#   SUPERSET_PORT            default 8088 (SUPERSET_BIND_HOST default 127.0.0.1)
#   SUPERSET_HOME            state dir: pid file, log, Superset data; default $REPO/.local/superset
#   SUPERSET_ADMIN_USER, SUPERSET_ADMIN_PASSWORD (init), SUPERSET_ADMIN_EMAIL (optional)
#   SUPERSET_VENV (default $REPO/.venv-superset), SUPERSET_ASSETS (default $REPO/superset/assets),
#   SUPERSET_CONFIG_PATH (default $REPO/superset/superset_config.py),
#   SUPERSET_WORKERS (2), SUPERSET_THREADS (4), SUPERSET_START_TIMEOUT (seconds, 120; also how
#   long worker start waits for the Celery worker to answer)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$here/../.." && pwd)"

# Load .env without overriding what the caller exported.
repo="$REPO"
# shellcheck source=load_env.sh
. "$REPO/infra/local/load_env.sh"

PROG="superset.sh"
die() {
  echo "$PROG: ERROR: $*" >&2
  exit 1
}
note() { echo "$PROG: $*"; }

SUPERSET_VENV="${SUPERSET_VENV:-$REPO/.venv-superset}"
SUPERSET_HOME="${SUPERSET_HOME:-$REPO/.local/superset}"
SUPERSET_ASSETS="${SUPERSET_ASSETS:-$REPO/superset/assets}"
SUPERSET_CONFIG_PATH="${SUPERSET_CONFIG_PATH:-$REPO/superset/superset_config.py}"
SUPERSET_PORT="${SUPERSET_PORT:-8088}"
SUPERSET_BIND_HOST="${SUPERSET_BIND_HOST:-127.0.0.1}"
SUPERSET_WORKERS="${SUPERSET_WORKERS:-2}"
SUPERSET_THREADS="${SUPERSET_THREADS:-4}"
SUPERSET_START_TIMEOUT="${SUPERSET_START_TIMEOUT:-120}"
SUPERSET_WAREHOUSE_URL="${SUPERSET_WAREHOUSE_URL:-${DASHBOARD_DATABASE_URL:-}}"
SUPERSET_ANALYST_URL="${SUPERSET_ANALYST_URL:-${ANALYST_DATABASE_URL:-}}"
SUPERSET_SECURITY="${SUPERSET_SECURITY:-$REPO/superset/security}"
PID_FILE="$SUPERSET_HOME/superset.pid"
LOG_FILE="$SUPERSET_HOME/superset.log"
URL="http://$SUPERSET_BIND_HOST:$SUPERSET_PORT"
PY="$SUPERSET_VENV/bin/python"
SUPERSET="$SUPERSET_VENV/bin/superset"

need_venv() {
  [ -x "$SUPERSET" ] || die "no Superset at $SUPERSET. Run 'make venvs' (or set SUPERSET_VENV)."
}

need_env() {
  [ -n "${!1:-}" ] || die "$1 is not set. $2"
}

# Everything Superset itself needs; composes SUPERSET_METADATA_URL when not given.
superset_env() {
  need_venv
  need_env SUPERSET_SECRET_KEY "Run 'make env' to write .env with generated secrets, or export it."
  [ -f "$SUPERSET_CONFIG_PATH" ] || die "config file $SUPERSET_CONFIG_PATH not found (SUPERSET_CONFIG_PATH)."
  if [ -z "${SUPERSET_METADATA_URL:-}" ]; then
    need_env SUPERSET_DB_PASSWORD "Set it (make env writes .env) or set SUPERSET_METADATA_URL."
    local pw
    # The password goes to Python through the environment: as an argument `ps` would show it.
    pw="$(RAW_PASSWORD="$SUPERSET_DB_PASSWORD" "$PY" -c 'import os, urllib.parse; print(urllib.parse.quote(os.environ["RAW_PASSWORD"], safe=""))')"
    SUPERSET_METADATA_URL="postgresql+psycopg2://superset:$pw@127.0.0.1:${SVDW_PG_PORT:-55432}/superset"
  fi
  mkdir -p "$SUPERSET_HOME"
  export SUPERSET_SECRET_KEY SUPERSET_METADATA_URL SUPERSET_HOME SUPERSET_CONFIG_PATH
  export SUPERSET_WAREHOUSE_URL SUPERSET_ANALYST_URL
  export SUPERSET_BOARD_USER SUPERSET_BOARD_PASSWORD SUPERSET_DISTRICT_USER \
    SUPERSET_DISTRICT_PASSWORD SUPERSET_ANALYST_USER SUPERSET_ANALYST_PASSWORD SUPERSET_DISTRICT_CODE
  export FLASK_APP=superset
  # Superset is chatty on stdout/stderr at import time; keep Python warnings out of it.
  export PYTHONWARNINGS="${PYTHONWARNINGS:-ignore}"
  only_superset_env
}

# Each service gets only its own secrets: Superset (and everything this script starts) sees its
# own SUPERSET_* settings and the basics a process needs, never the pseudonymisation key, the
# warehouse owner's, loader's or transformer's passwords, nor Airflow's, which .env also holds.
only_superset_env() {
  local name
  # Where the SNA documents are (sna_reports_route.py): not a secret, handed over by name.
  export SUPERSET_REPORTS_DIR="${SUPERSET_REPORTS_DIR:-${SVDW_REPORTS_DIR:-}}"
  for name in $(compgen -e); do
    case "$name" in
      SUPERSET_* | FLASK_APP | PYTHON* | PATH | HOME | USER | LOGNAME | SHELL | TERM | TZ | TMPDIR | LANG | LANGUAGE | LC_*) ;;
      *) unset "$name" 2>/dev/null || true ;; # a read-only one (SHELLOPTS) stays
    esac
  done
}

# Prints the URL with the password hidden.
redact() { sed -E 's#(://[^:/@]+):[^@]*@#\1:***@#g'; }

check_db_reachable() { # URL, what, hint
  local out
  # The URL holds a password: through the environment, not argv (`ps` shows argv).
  if ! out="$(SUPERSET_CHECK_URL="$1" "$PY" - 2>&1 <<'PYEOF'
import os
from sqlalchemy import create_engine, text
engine = create_engine(os.environ["SUPERSET_CHECK_URL"])
with engine.connect() as conn:
    conn.execute(text("select 1"))
PYEOF
  )"; then
    echo "$out" | tail -n 3 | redact >&2
    die "cannot connect to the $2 database at $(echo "$1" | redact). $3"
  fi
}

run_superset() { # runs a superset CLI command, showing its output only when it fails
  # --no-tty: in a session of its own, without the terminal, so that a hidden prompt (getpass)
  # reads its answer from stdin rather than asking at the terminal.
  local out rc=0 launcher=()
  if [ "$1" = "--no-tty" ]; then launcher=(setsid -w); shift; fi
  out="$(SUPERSET_LOG_LEVEL=WARNING "${launcher[@]}" "$SUPERSET" "$@" 2>&1)" || rc=$?
  if [ "$rc" != 0 ]; then
    echo "$out" | tail -n 40 | redact >&2
    die "'superset $1' failed (exit $rc); the end of its output is above."
  fi
  printf '%s\n' "$out"
}

pid_alive() {
  [ -f "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null
}

port_in_use() {
  (exec 3<>"/dev/tcp/$SUPERSET_BIND_HOST/$SUPERSET_PORT") 2>/dev/null
}

healthy() {
  [ "$(curl -fsS -m 5 "$URL/health" 2>/dev/null)" = "OK" ]
}

cmd_init() {
  superset_env
  need_env SUPERSET_ADMIN_USER "Set it in .env (make env) or export it."
  need_env SUPERSET_ADMIN_PASSWORD "Set it in .env (make env) or export it."
  check_db_reachable "$SUPERSET_METADATA_URL" "Superset metadata" \
    "Is PostgreSQL up (infra/local/pg.sh up)? Does the database exist with the right owner? Check SUPERSET_METADATA_URL / SUPERSET_DB_PASSWORD."
  note "migrating the metadata database $(echo "$SUPERSET_METADATA_URL" | redact)"
  run_superset db upgrade >/dev/null
  local out
  # The password answers create-admin's prompt (and its confirmation) on stdin: as --password
  # it would show in `ps`.
  out="$(printf '%s\n%s\n' "$SUPERSET_ADMIN_PASSWORD" "$SUPERSET_ADMIN_PASSWORD" \
    | run_superset --no-tty fab create-admin --username "$SUPERSET_ADMIN_USER" \
    --firstname Superset --lastname Admin \
    --email "${SUPERSET_ADMIN_EMAIL:-$SUPERSET_ADMIN_USER@svdw.invalid}")"
  if echo "$out" | grep -q "already exists"; then
    note "admin user '$SUPERSET_ADMIN_USER' already exists (password left as it is)"
  elif echo "$out" | grep -q "created"; then
    note "created admin user '$SUPERSET_ADMIN_USER'"
  else
    echo "$out" | tail -n 20 >&2
    die "could not create the admin user '$SUPERSET_ADMIN_USER'; see the output above."
  fi
  note "creating default roles and permissions (superset init)"
  run_superset init >/dev/null
  note "init done"
}

cmd_import() {
  superset_env
  local no_check=()
  [ "${1:-}" = "--no-check" ] && no_check=(--no-check)
  [ -f "$SUPERSET_ASSETS/metadata.yaml" ] || die "no bundle at $SUPERSET_ASSETS (metadata.yaml missing); set SUPERSET_ASSETS."
  need_env SUPERSET_WAREHOUSE_URL "Set DASHBOARD_DATABASE_URL in .env (make env) or export SUPERSET_WAREHOUSE_URL."
  need_env SUPERSET_ANALYST_URL "Set ANALYST_DATABASE_URL in .env (make env) or export SUPERSET_ANALYST_URL."
  note "importing $SUPERSET_ASSETS (overwriting what exists; one transaction)"
  # import_assets.py = `superset import-directory -o` + `superset set-database-uri` + repointing
  # chart query contexts + a check that the tables exist, in one process and one transaction
  # (the CLI pair costs two app start-ups, and import-directory exits 0 on a rejected bundle).
  local out rc=0
  out="$(SUPERSET_LOG_LEVEL=WARNING "$PY" "$REPO/superset/import_assets.py" "$SUPERSET_ASSETS" \
    --security "$SUPERSET_SECURITY" "${no_check[@]}" 2>&1)" || rc=$?
  printf '%s\n' "$out" | grep -v -e "^Loaded your LOCAL configuration" -e "fastmcp is not installed" \
    | redact || true
  [ "$rc" = 0 ] || die "import failed (exit $rc); see the message above."
  note "import done"
}

cmd_start() {
  superset_env
  if pid_alive; then
    if healthy; then
      note "already running (pid $(cat "$PID_FILE")): $URL"
      return 0
    fi
    die "a Superset from $SUPERSET_HOME is running (pid $(cat "$PID_FILE")) but $URL/health does not answer; run '$0 stop' then '$0 start' (log: $LOG_FILE)."
  fi
  rm -f "$PID_FILE"
  if port_in_use; then
    die "port $SUPERSET_PORT on $SUPERSET_BIND_HOST is already in use by another process; stop it (ss -ltnp 'sport = :$SUPERSET_PORT') or set SUPERSET_PORT."
  fi
  check_db_reachable "$SUPERSET_METADATA_URL" "Superset metadata" \
    "Is PostgreSQL up (infra/local/pg.sh up)? Did you run '$0 init'?"
  note "starting gunicorn on $URL (log: $LOG_FILE)"
  : >"$LOG_FILE"
  # setsid: gunicorn leads its own process group, so stop can signal all of its workers.
  setsid "$SUPERSET_VENV/bin/gunicorn" \
    --bind "$SUPERSET_BIND_HOST:$SUPERSET_PORT" \
    --workers "$SUPERSET_WORKERS" --worker-class gthread --threads "$SUPERSET_THREADS" \
    --timeout 120 --graceful-timeout 10 --limit-request-line 0 --limit-request-field_size 0 \
    --access-logfile - --error-logfile - --chdir "$SUPERSET_HOME" \
    "superset.app:create_app()" </dev/null >>"$LOG_FILE" 2>&1 &
  local pid=$!
  echo "$pid" >"$PID_FILE"
  local waited=0 started=$SECONDS
  until healthy; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      tail -n 30 "$LOG_FILE" | redact >&2
      die "gunicorn exited during start-up; the end of $LOG_FILE is above."
    fi
    if [ "$waited" -ge "$SUPERSET_START_TIMEOUT" ]; then
      tail -n 30 "$LOG_FILE" | redact >&2
      cmd_stop >/dev/null 2>&1 || true
      die "no answer from $URL/health after ${SUPERSET_START_TIMEOUT}s; stopped it. See $LOG_FILE."
    fi
    sleep 1
    waited=$((SECONDS - started))
  done
  note "Superset is up after $((SECONDS - started))s (pid $pid): $URL  (user: ${SUPERSET_ADMIN_USER:-see .env})"
}

cmd_stop() {
  if [ ! -f "$PID_FILE" ]; then
    note "not running (no $PID_FILE)"
    if port_in_use; then
      echo "$PROG: WARNING: port $SUPERSET_PORT is in use by a process this script did not start (see: ss -ltnp 'sport = :$SUPERSET_PORT')." >&2
    fi
    return 0
  fi
  local pid pgid
  pid="$(cat "$PID_FILE")"
  if ! kill -0 "$pid" 2>/dev/null; then
    rm -f "$PID_FILE"
    note "not running (stale pid file removed)"
    return 0
  fi
  pgid="$(ps -o pgid= -p "$pid" | tr -d ' ')"
  # Only ever signal the group that gunicorn leads (setsid made it the leader).
  [ "$pgid" = "$pid" ] || die "pid $pid from $PID_FILE does not lead its process group (pgid $pgid); not killing it. Stop it by hand."
  kill -TERM -- "-$pgid" 2>/dev/null || true
  local i
  for i in $(seq 1 30); do
    kill -0 -- "-$pgid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 -- "-$pgid" 2>/dev/null; then
    echo "$PROG: WARNING: process group $pgid ignored SIGTERM for 15s; sending SIGKILL" >&2
    kill -KILL -- "-$pgid" 2>/dev/null || true
    sleep 0.5
  fi
  rm -f "$PID_FILE"
  for i in $(seq 1 20); do
    port_in_use || break
    sleep 0.25
  done
  port_in_use && die "stopped process group $pgid but port $SUPERSET_PORT is still in use; see ss -ltnp 'sport = :$SUPERSET_PORT'."
  note "stopped (process group $pgid)"
}

WORKER_PID_FILE="$SUPERSET_HOME/worker.pgid"
WORKER_LOG="$SUPERSET_HOME/worker.log"

# Ping our worker through the broker; $1 = seconds to wait for its answer.
worker_ping() {
  SUPERSET_LOG_LEVEL=WARNING "$SUPERSET_VENV/bin/celery" --app=superset.tasks.celery_app:app \
    inspect ping --destination "superset-worker@$(hostname)" --timeout "$1"
}

cmd_worker() {
  superset_env
  case "${1:-}" in
    start)
      need_env SUPERSET_REDIS_URL "The worker needs Redis: start it with infra/local/redis.sh up and set SUPERSET_REDIS_URL (demo.sh does both in the Celery mode)."
      export SUPERSET_REDIS_URL
      if [ -f "$WORKER_PID_FILE" ] && kill -0 -- "-$(cat "$WORKER_PID_FILE")" 2>/dev/null; then
        note "Celery worker already running"; return 0
      fi
      setsid "$SUPERSET_VENV/bin/celery" --app=superset.tasks.celery_app:app worker \
        --hostname "superset-worker@%h" --concurrency "${SUPERSET_CELERY_CONCURRENCY:-2}" \
        </dev/null >"$WORKER_LOG" 2>&1 &
      echo $! >"$WORKER_PID_FILE"
      # Return only once the worker answers through the broker, as start waits for /health:
      # a loaded machine takes tens of seconds to import Superset in the worker.
      local deadline=$((SECONDS + SUPERSET_START_TIMEOUT))
      until worker_ping 5 >/dev/null 2>&1; do
        if ! kill -0 -- "-$(cat "$WORKER_PID_FILE")" 2>/dev/null; then
          tail -n 30 "$WORKER_LOG" | redact >&2
          rm -f "$WORKER_PID_FILE"
          die "the Celery worker exited while starting; see $WORKER_LOG."
        fi
        if [ "$SECONDS" -ge "$deadline" ]; then
          tail -n 30 "$WORKER_LOG" | redact >&2
          cmd_worker stop
          die "the Celery worker gave no answer through Redis (SUPERSET_REDIS_URL) after ${SUPERSET_START_TIMEOUT}s; stopped it. See $WORKER_LOG."
        fi
        sleep 2
      done
      note "Celery worker started and answering (log: $WORKER_LOG)"
      ;;
    stop)
      if [ -f "$WORKER_PID_FILE" ] && kill -0 -- "-$(cat "$WORKER_PID_FILE")" 2>/dev/null; then
        local pgid; pgid="$(cat "$WORKER_PID_FILE")"
        kill -TERM -- "-$pgid" 2>/dev/null || true
        for _ in $(seq 1 30); do kill -0 -- "-$pgid" 2>/dev/null || break; sleep 0.5; done
        kill -KILL -- "-$pgid" 2>/dev/null || true
        note "Celery worker stopped"
      fi
      rm -f "$WORKER_PID_FILE"
      ;;
    status)
      # Exit 0 when the worker answers a ping through the broker.
      need_env SUPERSET_REDIS_URL "The worker's broker is Redis: set SUPERSET_REDIS_URL."
      export SUPERSET_REDIS_URL
      worker_ping 10
      ;;
    *) die "usage: $0 worker start|stop|status" ;;
  esac
}

cmd_status() {
  if pid_alive; then
    if healthy; then
      note "running (pid $(cat "$PID_FILE")), healthy: $URL"
      return 0
    fi
    note "running (pid $(cat "$PID_FILE")) but $URL/health does not answer; see $LOG_FILE"
    return 1
  fi
  note "stopped (state dir: $SUPERSET_HOME)"
  return 3
}

usage() {
  sed -n '2,/^set -euo/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'
}

case "${1:-}" in
  init) cmd_init ;;
  import) shift; cmd_import "$@" ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  restart) cmd_stop; cmd_start ;;
  worker) shift; cmd_worker "$@" ;;
  -h | --help | help) usage ;;
  *)
    usage >&2
    die "unknown command '${1:-}'; use one of: init, import, start, stop, status"
    ;;
esac
